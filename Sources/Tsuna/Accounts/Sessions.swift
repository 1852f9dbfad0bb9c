import HTTP
import JSON
import Security

/// Logging in, refreshing tokens and logging out (SPEC section 2).
extension AccountsRoutes {
    static let noAccount = "No active account found with the given credentials"

    func login(_ ctx: OpenContext) async throws -> Response {
        var v = Validator(ctx.input)
        let email = v.requiredText(AccountFields.loginEmail)
        let password = v.requiredText(AccountFields.loginPassword)
        try v.finish()
        let user = try services.store.read { try AccountsStore.user(email: email, $0) }
        let hasher = services.passwords
        let ok: Bool
        if let user {
            let encoded = user.password
            ok = try await PasswordWork.run { hasher.verify(password, encoded: encoded) }
        } else {
            // Same cost as a real check, so response time does not reveal which emails exist.
            ok = try await PasswordWork.run { hasher.dummyVerify(password); return false }
        }
        guard ok, let user, user.isActive else { throw APIError.unauthorized(AccountsRoutes.noAccount) }
        return services.authentication.tokenPair(for: user)
    }

    func refresh(_ ctx: OpenContext) async throws -> Response {
        var v = Validator(ctx.input)
        let token = v.requiredText(AccountFields.refresh)
        try v.finish()
        guard let (_, entry) = try services.authentication.verify(token, type: "refresh") else {
            throw APIError.unauthorized("Token is invalid or expired", code: "token_not_valid")
        }
        var w = JSONWriter()
        w.beginObject(); w.key("access"); w.string(services.authentication.accessToken(for: entry.record)); w.endObject()
        return Response.json(200, w.bytes)
    }

    /// POST `logout/`: `{"refresh": …}` (optional) revokes that refresh token and the presented access token;
    /// `{"all": true}` rejects every token of the caller.
    func logout(_ ctx: Context<NoScope>) async throws -> Response {
        var v = Validator(ctx.input)
        let refresh = v.text(AccountFields.logoutRefresh)
        let all = v.bool(AccountFields.all) ?? false
        try v.finish()
        let caller = ctx.caller
        var revoked = [(id: caller.accessTokenId, expiresAt: caller.accessTokenExpiry)]
        if let refresh {
            guard let (claims, entry) = try services.authentication.verify(refresh, type: "refresh"),
                  entry.record.id == caller.id else {
                throw APIError.field("refresh", "Token is invalid or expired")
            }
            revoked.append((claims.id, claims.expiresAt))
        }
        let list = revoked
        try await services.store.write { c in
            if all {
                try AccountsStore.bumpTokenGeneration(userId: caller.id, c)
            } else {
                for r in list { try AccountsStore.revokeToken(id: r.id, expiresAt: r.expiresAt, c) }
            }
        }
        if all {
            services.users.invalidate(token: caller.token, id: caller.id)
        } else {
            services.authentication.revoked.add(list)
        }
        return Response(status: 204)
    }
}
