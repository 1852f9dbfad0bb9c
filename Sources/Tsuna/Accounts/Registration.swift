import HTTP
import JSON
import Security
import Store

/// Registration, verification and resending the verification mail (SPEC section 2).
extension AccountsRoutes {
    func registerAccount(_ ctx: OpenContext) async throws -> Response {
        let config = services.configuration
        var v = Validator(ctx.input)
        let email = v.requiredEmail(AccountFields.email)
        let password = v.newPassword(AccountFields.password)
        let firstName = v.requiredText(AccountFields.firstName)
        let lastName = v.text(AccountFields.lastName) ?? ""
        let bio = v.text(AccountFields.bio)
        let picture = v.image(AccountFields.picture(config.imageLimitMB))
        if !email.isEmpty, let existing = try services.store.read({ try AccountsStore.user(email: email, $0) }) {
            v.errors.add("email", existing.isActive
                ? "An active account with email `\(email)` already exists."
                : "A deactive account with email `\(email)` already exists.")
        }
        try v.finish()

        let hasher = services.passwords
        let encoded = try await PasswordWork.run { hasher.hash(password) }
        let picturePath = try picture.map { try services.media.store($0, folder: "pictures") }
        let userToken = SecureRandom.uuidV4()
        let verificationToken = SecureRandom.uuidV4()
        let now = Clock.nowMicros()
        let ttl = Int64(config.verificationTTLMinutes * 60_000_000)
        let newUser = AccountsStore.NewUser(email: email, password: encoded, firstName: firstName, lastName: lastName,
                                            bio: bio ?? AccountsRoutes.defaultBio, picture: picturePath,
                                            isActive: false, isAdmin: false)
        let mailer = services.mailer
        let ttlMinutes = config.verificationTTLMinutes
        do {
            try await services.store.write { c in
                let id = try AccountsStore.insert(newUser, now: now, token: userToken, c)
                try AccountsStore.insertVerificationToken(userId: id, token: verificationToken, now: now, expires: now + ttl, c)
                try AccountsMail.queueVerification(c, mailer: mailer, email: email, firstName: firstName,
                                                   verificationToken: verificationToken, userToken: userToken,
                                                   ttlMinutes: ttlMinutes)
            }
        } catch let e as StoreError where e.isConstraintViolation {
            services.media.remove(picturePath)
            throw APIError.field("email", "An active account with email `\(email)` already exists.")
        } catch {
            services.media.remove(picturePath)
            throw error
        }
        mailer.wake()
        var w = JSONWriter()
        w.beginObject()
        w.key("email"); w.string(email)
        w.key("first_name"); w.string(firstName)
        w.key("last_name"); w.string(lastName)
        w.key("bio"); w.string(newUser.bio)
        w.key("picture"); w.string(services.media.url(picturePath))
        w.key("token"); w.string(userToken)
        w.endObject()
        return Response.json(201, w.bytes)
    }

    func verify(_ ctx: OpenContext) async throws -> Response {
        guard let vt = TokenFormat.normalized(ctx.parameter("verification_token")),
              let ut = TokenFormat.normalized(ctx.parameter("user_token")) else { throw APIError.notFound }
        let (token, user) = try services.store.read { c in
            (try AccountsStore.verificationToken(vt, c), try AccountsStore.user(token: ut, c))
        }
        guard let token, let user else { throw APIError.notFound }
        if user.isActive { throw APIError.badRequest("User is already active.") }
        if user.isDeactivated { throw APIError.badRequest(AccountVerification.deactivated) }
        if token.userId != user.id { throw APIError.badRequest("Token and user mismatch.") }
        if token.expiresAt <= Clock.nowMicros() { throw APIError.badRequest("Token is expired.") }
        let activated = try await services.store.write { try AccountsStore.activate(userId: user.id, $0) }
        services.users.invalidate(token: user.token, id: user.id)
        if !activated { throw APIError.badRequest("User is already active.") }
        if (ctx.request.headers["Accept"] ?? "").contains("text/html") {
            return Wire.html(200, """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Account verified</title></head>
            <body><h1>Account verified</h1><p>Your Tsuna Streaming account is active. You can log in now.</p></body></html>
            """)
        }
        return Wire.detail(200, "Account verified")
    }

    func resend(_ ctx: OpenContext) async throws -> Response {
        var v = Validator(ctx.input)
        let sent = v.token(AccountFields.user)
        try v.finish()
        guard let sent else { throw APIError.field("user", FieldMessage.required) }
        guard let ut = TokenFormat.normalized(sent),
              let user = try services.store.read({ try AccountsStore.user(token: ut, $0) }) else {
            throw APIError.field("user", FieldMessage.doesNotExist(sent))
        }
        try await AccountVerification.resend(user, services)
        var w = JSONWriter()
        w.beginObject(); w.key("user"); w.string(user.token); w.endObject()
        return Response.json(201, w.bytes)
    }
}

/// Sending a new verification mail, the same from `resend/` and the administration panel.
enum AccountVerification {
    static let alreadyActive = "User is already active."
    static let deactivated = "User is deactivated."
    static let tokenExists = "An active token already exists."

    /// Queues a new verification mail with a fresh token unless the user is active, deactivated, or still holds
    /// an unexpired token; refusals are the API's 400s.
    static func resend(_ user: UserRecord, _ services: Services) async throws {
        if user.isActive { throw APIError.field("user", alreadyActive) }
        if user.isDeactivated { throw APIError.field("user", deactivated) }
        let now = Clock.nowMicros()
        let config = services.configuration
        let ttl = Int64(config.verificationTTLMinutes * 60_000_000)
        let mailer = services.mailer
        let verificationToken = SecureRandom.uuidV4()
        let created = try await services.store.write { c -> Bool in
            if try AccountsStore.hasUnexpiredToken(userId: user.id, now: now, c) { return false }
            try AccountsStore.insertVerificationToken(userId: user.id, token: verificationToken, now: now, expires: now + ttl, c)
            try AccountsMail.queueVerification(c, mailer: mailer, email: user.email, firstName: user.firstName,
                                               verificationToken: verificationToken, userToken: user.token,
                                               ttlMinutes: config.verificationTTLMinutes)
            return true
        }
        guard created else { throw APIError.nonField(tokenExists) }
        mailer.wake()
    }
}
