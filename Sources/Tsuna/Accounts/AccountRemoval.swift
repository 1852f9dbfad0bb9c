import HTTP
import JSON
import Store

/// Deleting an account, the same from `DELETE me/` and the administration panel (SPEC section 2): the user's
/// channels with everything in them, their own subscriptions, votes, views and comments (replies included),
/// admin records and membership — in the database, the write-behind caches and on disk.
enum AccountRemoval {
    static func delete(userId: Int64, userToken: String, picture: String?, _ services: Services) async throws {
        // The channels go through their own removal first (caches and files of their contents).
        let owned = try services.store.read { try ChannelsStore.owned(userId: userId, $0) }
        for channel in owned { try await ChannelRemoval.delete(channel, services) }
        // Everything else the user owns goes by cascade with the row.
        try await services.store.write { c in try AccountsStore.deleteUser(id: userId, c) }
        services.users.invalidate(token: userToken, id: userId)
        await services.subscriptions.forgetUser(userId)
        await services.votes.forgetUser(userId)
        await services.views.forgetUser(userId)
        services.media.remove(picture)
    }
}

extension AccountsRoutes {
    /// DELETE `me/`: `{"password": …}` confirms; → 204.
    func deleteAccount(_ ctx: Context<NoScope>) async throws -> Response {
        var v = Validator(ctx.input)
        let password = v.requiredText(AccountFields.confirmPassword)
        try v.finish()
        guard let user = try services.users.user(token: ctx.caller.token)?.record else { throw APIError.tokenNotValid }
        let hasher = services.passwords
        let encoded = user.password
        guard try await PasswordWork.run({ hasher.verify(password, encoded: encoded) }) else {
            throw APIError.field("password", AccountsRoutes.wrongPassword)
        }
        try await AccountRemoval.delete(userId: user.id, userToken: user.token, picture: user.picture, services)
        return Response(status: 204)
    }
}
