import HTTP
import Security

/// Logging in and refreshing tokens (SPEC section 2).
extension AccountsRoutes {
    static let noAccount = "No active account found with the given credentials"

    func login(_ ctx: OpenContext) async throws -> Response {
        var v = Validator(ctx.input)
        let email = v.requiredString("email")
        let password = v.requiredString("password")
        try v.finish()
        let user = try services.store.read { try AccountsStore.user(email: email, $0) }
        let hasher = services.passwords
        let ok: Bool
        if let user {
            let encoded = user.password
            ok = await PasswordWork.run { hasher.verify(password, encoded: encoded) }
        } else {
            // Same cost as a real check, so response time does not reveal which emails exist.
            ok = await PasswordWork.run { hasher.dummyVerify(password); return false }
        }
        guard ok, let user, user.isActive else { throw APIError.unauthorized(AccountsRoutes.noAccount) }
        let auth = services.authentication
        var w = JSONWriter()
        w.beginObject()
        w.key("refresh"); w.string(auth.refreshToken(for: user.token))
        w.key("access"); w.string(auth.accessToken(for: user.token))
        w.endObject()
        return Response.json(200, w.bytes)
    }

    func refresh(_ ctx: OpenContext) async throws -> Response {
        var v = Validator(ctx.input)
        let token = v.requiredString("refresh")
        try v.finish()
        guard let claims = try? services.jwt.verify(token, expectedType: "refresh", now: Clock.nowSeconds()),
              let user = try services.users.user(token: claims.subject), user.record.isActive else {
            throw APIError.unauthorized("Token is invalid or expired", code: "token_not_valid")
        }
        var w = JSONWriter()
        w.beginObject(); w.key("access"); w.string(services.authentication.accessToken(for: claims.subject)); w.endObject()
        return Response.json(200, w.bytes)
    }
}
