import Foundation
import HTTP
import JSON
import Security
import Store

/// `/accounts/v1/`: register, verify, resend, login, token refresh, profiles (SPEC section 2).
struct AccountsRoutes {
    let api: API
    var services: Services { api.services }
    var auth: Authentication { Authentication(services: services) }

    static let defaultBio = "Hey there, i am using tsuna streaming."

    func register() {
        let tags = ["accounts"]
        let imageBody = (services.configuration.imageLimitMB + 1) * 1_048_576
        let throttle = services.authThrottle
        api.route("POST", "/accounts/v1/register/", access: .anonymousOnly, bodyLimit: imageBody, throttle: throttle,
                  summary: "Register an account (inactive until verified)", tags: tags) { try await registerAccount($0) }
        api.route("GET", "/accounts/v1/verify/:verification_token/:user_token/", access: .anonymousOnly, throttle: throttle,
                  summary: "Verify an account from the emailed link", tags: tags) { try await verify($0) }
        api.route("POST", "/accounts/v1/resend/", access: .anonymousOnly, throttle: throttle,
                  summary: "Send a new verification email", tags: tags) { try await resend($0) }
        api.route("POST", "/accounts/v1/login/", access: .anonymousOnly, throttle: throttle,
                  summary: "Obtain access and refresh tokens", tags: tags) { try await login($0) }
        api.route("POST", "/accounts/v1/token/refresh/", access: .anyone,
                  summary: "Exchange a refresh token for a new access token", tags: tags) { try await refresh($0) }
        api.route("GET", "/accounts/v1/me/", summary: "The caller's own profile", tags: tags) { ctx in
            try profile(ctx, token: ctx.user.token)
        }
        api.route("GET", "/accounts/v1/:user_token/", summary: "A user's profile", tags: tags) { ctx in
            try profile(ctx, token: ctx.parameter("user_token"))
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/accounts/v1/:user_token/", bodyLimit: imageBody,
                      summary: method == "PUT" ? "Replace the caller's profile" : "Update part of the caller's profile",
                      tags: tags) { try await updateProfile($0, partial: method == "PATCH") }
        }
    }

    // MARK: register / verify / resend

    private func registerAccount(_ ctx: Context) async throws -> Response {
        let config = services.configuration
        let input = try Input.parse(ctx.request, fileLimit: (config.imageLimitMB + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input)
        let email = v.email("email", required: true, maxLength: 200)
        let password = v.string("password", required: true)
        if let password {
            if password.count < 8 { v.errors.add("password", "This password is too short. It must contain at least 8 characters.") }
            if password.allSatisfy(\.isNumber) { v.errors.add("password", "This password is entirely numeric.") }
        }
        let firstName = v.string("first_name", required: true, maxLength: 50)
        let lastName = v.string("last_name", maxLength: 50, allowBlank: true) ?? ""
        let bio = v.string("bio", maxLength: 250, allowBlank: true)
        let pictureKind = input.file("picture").flatMap {
            MediaStorage.validateImage($0, field: "picture", limitMB: config.imageLimitMB, into: &v.errors)
        }
        if let email, let existing = try services.store.read({ try AccountsStore.user(email: email, $0) }) {
            v.errors.add("email", existing.isActive
                ? "An active account with email `\(email)` already exists."
                : "A deactive account with email `\(email)` already exists.")
        }
        try v.finish()
        guard let email, let password, let firstName else { throw APIError.badRequest("Invalid input.") }

        let hasher = services.passwords
        let encoded = await PasswordWork.run { hasher.hash(password) }
        var picturePath: String?
        if let file = input.file("picture"), let kind = pictureKind {
            picturePath = try services.media.store(file, folder: "pictures", fileExtension: kind.fileExtension)
        }
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

    private func verify(_ ctx: Context) async throws -> Response {
        guard let vt = TokenFormat.normalized(ctx.parameter("verification_token")),
              let ut = TokenFormat.normalized(ctx.parameter("user_token")) else { throw APIError.notFound() }
        let (token, user) = try services.store.read { c in
            (try AccountsStore.verificationToken(vt, c), try AccountsStore.user(token: ut, c))
        }
        guard let token, let user else { throw APIError.notFound() }
        if user.isActive { throw APIError.badRequest("User is already active.") }
        if token.userId != user.id { throw APIError.badRequest("Token and user mismatch.") }
        if token.expiresAt <= Clock.nowMicros() { throw APIError.badRequest("Token is expired.") }
        let activated = try await services.store.write { try AccountsStore.activate(userId: user.id, $0) }
        services.users.invalidate(user.token)
        if !activated { throw APIError.badRequest("User is already active.") }
        if (ctx.request.headers["Accept"] ?? "").contains("text/html") {
            var h = HTTPHeaders()
            h.add("Content-Type", "text/html; charset=utf-8")
            let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Account verified</title></head>
            <body><h1>Account verified</h1><p>Your Tsuna Streaming account is active. You can log in now.</p></body></html>
            """
            return Response(status: 200, headers: h, body: .bytes(Array(page.utf8)))
        }
        return Response.detail(200, "Account verified")
    }

    private func resend(_ ctx: Context) async throws -> Response {
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let sent = v.token("user", required: true)
        try v.finish()
        guard let sent else { throw APIError.field("user", FieldMessage.required) }
        guard let ut = TokenFormat.normalized(sent),
              let user = try services.store.read({ try AccountsStore.user(token: ut, $0) }) else {
            throw APIError.field("user", FieldMessage.doesNotExist(sent))
        }
        if user.isActive { throw APIError.field("user", "User is already active.") }
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
        guard created else { throw APIError.nonField("An active token already exists.") }
        mailer.wake()
        var w = JSONWriter()
        w.beginObject(); w.key("user"); w.string(user.token); w.endObject()
        return Response.json(201, w.bytes)
    }

    // MARK: tokens

    private func login(_ ctx: Context) async throws -> Response {
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let email = v.string("email", required: true)
        let password = v.string("password", required: true)
        try v.finish()
        guard let email, let password else { throw APIError.badRequest("Invalid input.") }
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
        guard ok, let user, user.isActive else {
            throw APIError.unauthorized(#"{"detail": "No active account found with the given credentials"}"#)
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("refresh"); w.string(auth.refreshToken(for: user.token))
        w.key("access"); w.string(auth.accessToken(for: user.token))
        w.endObject()
        return Response.json(200, w.bytes)
    }

    private func refresh(_ ctx: Context) async throws -> Response {
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let token = v.string("refresh", required: true)
        try v.finish()
        let invalid = APIError.unauthorized(#"{"detail": "Token is invalid or expired", "code": "token_not_valid"}"#)
        guard let token,
              let claims = try? services.jwt.verify(token, expectedType: "refresh", now: Clock.nowSeconds()),
              let user = try services.users.user(token: claims.subject), user.record.isActive else {
            throw invalid
        }
        var w = JSONWriter()
        w.beginObject(); w.key("access"); w.string(auth.accessToken(for: claims.subject)); w.endObject()
        return Response.json(200, w.bytes)
    }

    // MARK: profiles

    private func profile(_ ctx: Context, token raw: String) throws -> Response {
        guard let token = TokenFormat.normalized(raw), let entry = try services.users.user(token: token),
              entry.record.isActive else { throw APIError.notFound() }
        let showEmail = ctx.user.id == entry.record.id || ctx.user.isAdmin
        let now = Clock.nowMicros()
        let active = entry.subscription.flatMap { $0.end > now ? $0 : nil }
        return Response.json(200, profileJSON(entry.record, active, showEmail: showEmail))
    }

    private func profileJSON(_ user: UserRecord, _ subscription: ActiveSubscription?, showEmail: Bool) -> [UInt8] {
        var w = JSONWriter(capacity: 384)
        w.beginObject()
        if showEmail { w.key("email"); w.string(user.email) }
        w.key("first_name"); w.string(user.firstName)
        w.key("last_name"); w.string(user.lastName)
        w.key("picture"); w.string(services.media.url(user.picture))
        w.key("bio"); w.string(user.bio)
        w.key("token"); w.string(user.token)
        w.key("active_subscription")
        if let s = subscription {
            w.beginObject()
            w.key("membership"); w.string(s.membership)
            w.key("start_date"); w.date(s.start)
            w.key("end_date"); w.date(s.end)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        return w.bytes
    }

    private func updateProfile(_ ctx: Context, partial: Bool) async throws -> Response {
        guard let token = TokenFormat.normalized(ctx.parameter("user_token")),
              let user = try services.store.read({ try AccountsStore.user(token: token, $0) }), user.isActive else {
            throw APIError.notFound()
        }
        guard user.id == ctx.user.id else { throw APIError.forbidden("Only profile owner can update this profile.") }
        let config = services.configuration
        let input = try Input.parse(ctx.request, fileLimit: (config.imageLimitMB + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input, partial: partial)
        let firstName = v.string("first_name", required: true, maxLength: 50)
        let lastName = v.string("last_name", maxLength: 50, allowBlank: true)
        let bio = v.string("bio", maxLength: 250, allowBlank: true)
        let pictureKind = input.file("picture").flatMap {
            MediaStorage.validateImage($0, field: "picture", limitMB: config.imageLimitMB, into: &v.errors)
        }
        try v.finish()
        var newPicture = user.picture
        if let file = input.file("picture"), let kind = pictureKind {
            newPicture = try services.media.store(file, folder: "pictures", fileExtension: kind.fileExtension)
        }
        let first = firstName ?? user.firstName
        let last = lastName ?? user.lastName
        let newBio = bio ?? user.bio
        let picture = newPicture
        do {
            try await services.store.write { c in
                try AccountsStore.updateProfile(userId: user.id, firstName: first, lastName: last, bio: newBio,
                                                picture: picture, c)
            }
        } catch {
            if newPicture != user.picture { services.media.remove(newPicture) }
            throw error
        }
        services.users.invalidate(user.token)
        services.channels.invalidateAll()  // channels show their owner's name
        if newPicture != user.picture { services.media.remove(user.picture) }
        return try profile(ctx, token: user.token)
    }
}
