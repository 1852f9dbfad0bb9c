import HTTP
import JSON
import Store

/// The user a profile route names: 404 unless the user exists and is active.
struct ProfileScope: Sendable {
    let entry: DirectoryEntry
}

extension Loader where Scope == ProfileScope {
    static var profile: Loader {
        Loader { r in
            guard let token = TokenFormat.normalized(r.parameter("user_token")),
                  let entry = try r.services.users.user(token: token), entry.record.isActive else {
                throw APIError.notFound
            }
            return ProfileScope(entry: entry)
        }
    }
}

extension Rule where Scope == ProfileScope {
    static var profileOwner: Rule {
        let notOwner = "Only profile owner can update this profile."
        return Rule(needsRole: false, summary: "the profile's owner", refusals: [notOwner]) { caller, scope throws(APIError) in
            if scope.entry.record.id != caller.id { throw .forbidden(notOwner) }
        }
    }
}

/// A profile as SPEC section 2 shows it: `{first_name, last_name, picture, bio, token, active_subscription}`, plus
/// `email` for its owner and site administrators.
enum ProfileJSON {
    static func response(_ status: Int, _ entry: DirectoryEntry?, viewer: Caller, _ services: Services) -> Response {
        guard let entry else { return APIError.notFound.response }
        let user = entry.record
        let now = Clock.nowMicros()
        let active = entry.subscription.flatMap { $0.end > now ? $0 : nil }
        var w = JSONWriter(capacity: 384)
        w.beginObject()
        if viewer.id == user.id || viewer.isAdmin { w.key("email"); w.string(user.email) }
        w.key("first_name"); w.string(user.firstName)
        w.key("last_name"); w.string(user.lastName)
        w.key("picture"); w.string(services.media.url(user.picture))
        w.key("bio"); w.string(user.bio)
        w.key("token"); w.string(user.token)
        w.key("active_subscription")
        if let s = active {
            w.beginObject()
            w.key("membership"); w.string(s.membership)
            w.key("start_date"); w.date(s.start)
            w.key("end_date"); w.date(s.end)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        return Response.json(status, w.bytes)
    }
}

extension AccountsRoutes {
    func updateProfile(_ ctx: Context<ProfileScope>, partial: Bool) async throws -> Response {
        let user = ctx.scope.entry.record
        var v = Validator(ctx.input, partial: partial)
        let firstName = v.text(AccountFields.firstName)
        let lastName = v.text(AccountFields.lastName)
        let bio = v.text(AccountFields.profileBio)
        let picture = v.image(AccountFields.picture(services.configuration.imageLimitMB))
        try v.finish()
        var stored = StoredFiles(services.media)
        do {
            let newPicture = try stored.store(picture, folder: "pictures") ?? user.picture
            let (first, last, newBio) = (firstName ?? user.firstName, lastName ?? user.lastName, bio ?? user.bio)
            try await services.store.write { c in
                try AccountsStore.updateProfile(userId: user.id, firstName: first, lastName: last, bio: newBio,
                                                picture: newPicture, c)
            }
        } catch {
            stored.rollBack()
            throw error
        }
        services.users.invalidate(token: user.token, id: user.id)
        if !stored.paths.isEmpty { services.media.remove(user.picture) }
        return ProfileJSON.response(200, try services.users.user(token: user.token), viewer: ctx.caller, services)
    }
}
