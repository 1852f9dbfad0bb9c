import HTTP
import JSON
import Security
import Store

/// Changing and resetting passwords (SPEC section 2). Both set a new hash and bump the user's token
/// generation, so every token issued before is rejected from then on.
extension AccountsRoutes {
    static let wrongPassword = "Wrong password."
    static let resetAccepted = "If an active account uses this address, a reset link has been sent."
    static let resetInvalid = "Token is invalid or expired."
    /// A reset request always takes at least this long, so its time does not tell whether the address exists.
    static let resetRequestFloorNanoseconds: UInt64 = 150_000_000

    /// POST `password/change/`: `{current_password, new_password}` → fresh tokens.
    func changePassword(_ ctx: Context<NoScope>) async throws -> Response {
        var v = Validator(ctx.input)
        let current = v.requiredText(AccountFields.currentPassword)
        let new = v.newPassword(AccountFields.newPassword)
        try v.finish()
        guard let user = try services.users.user(token: ctx.caller.token)?.record else { throw APIError.tokenNotValid }
        let hasher = services.passwords
        let encoded = user.password
        guard try await PasswordWork.run({ hasher.verify(current, encoded: encoded) }) else {
            throw APIError.field("current_password", AccountsRoutes.wrongPassword)
        }
        let hash = try await PasswordWork.run { hasher.hash(new) }
        try await services.store.write { c in try AccountsStore.setPassword(userId: user.id, encoded: hash, c) }
        services.users.invalidate(token: user.token, id: user.id)
        guard let fresh = try services.users.user(token: user.token)?.record else { throw APIError.tokenNotValid }
        return services.authentication.tokenPair(for: fresh)
    }

    /// POST `password/reset/`: `{email}` → 202 whatever the address; an active account gets a mail with a link.
    func requestReset(_ ctx: OpenContext) async throws -> Response {
        let started = ContinuousClock.now
        var v = Validator(ctx.input)
        let email = v.requiredEmail(AccountFields.resetEmail)
        try v.finish()
        let token = SecureRandom.uuidV4()
        let now = Clock.nowMicros()
        let expires = now + Int64(services.configuration.resetTTLMinutes * 60_000_000)
        let (mailer, link) = (services.mailer, "\(services.domain)/accounts/v1/password/reset/\(token)/")
        let ttl = services.configuration.resetTTLMinutes
        // The lookup happens inside the write either way, so both outcomes take the same path.
        let sent = try await services.store.write { c -> Bool in
            guard let user = try AccountsStore.user(email: email, c), user.isActive else { return false }
            try AccountsStore.replaceResetToken(userId: user.id, token: token, now: now, expires: expires, c)
            try AccountsMail.queueReset(c, mailer: mailer, email: user.email, firstName: user.firstName, link: link,
                                        ttlMinutes: ttl)
            return true
        }
        if sent { mailer.wake() }
        let elapsed = started.duration(to: .now)
        let floor = Duration.nanoseconds(Int64(AccountsRoutes.resetRequestFloorNanoseconds))
        if elapsed < floor { try? await Task.sleep(for: floor - elapsed) }
        return Wire.detail(202, AccountsRoutes.resetAccepted)
    }

    /// The user a path's reset token belongs to, or SPEC's 400.
    private func resetUser(_ ctx: OpenContext) throws -> (token: String, userId: Int64) {
        let now = Clock.nowMicros()
        guard let token = TokenFormat.normalized(ctx.parameter("reset_token")),
              let userId = try services.store.read({ try AccountsStore.resetTokenUser(token, now: now, $0) }) else {
            throw APIError.badRequest(AccountsRoutes.resetInvalid)
        }
        return (token, userId)
    }

    /// GET `password/reset/<token>/`: whether the token is usable (a browser gets a form).
    func checkReset(_ ctx: OpenContext) async throws -> Response {
        let valid: Bool
        do {
            _ = try resetUser(ctx)
            valid = true
        } catch APIError.badRequest(_) {
            valid = false
        }
        switch (valid, AccountsRoutes.wantsHTML(ctx.request)) {
        case (true, true): return Wire.html(200, ResetPage.form(action: ctx.request.path))
        case (true, false): return Wire.detail(200, "Token is valid.")
        case (false, true): return Wire.html(400, ResetPage.message(title: "Link expired", AccountsRoutes.resetInvalid))
        case (false, false): return Wire.detail(400, AccountsRoutes.resetInvalid)
        }
    }

    /// POST `password/reset/<token>/`: `{new_password}` → the password is set, the token spent, every earlier
    /// token of the user rejected. A refused password does not spend the token.
    func confirmReset(_ ctx: OpenContext) async throws -> Response {
        let wantsHTML = AccountsRoutes.wantsHTML(ctx.request)
        let (token, userId) = try resetUser(ctx)
        var v = Validator(ctx.input)
        let new = v.newPassword(AccountFields.newPassword)
        try v.finish()
        let hasher = services.passwords
        let hash = try await PasswordWork.run { hasher.hash(new) }
        let user = try await services.store.write { c -> AccountsStore.Contact? in
            guard try AccountsStore.spendResetToken(token, c) else { return nil }
            try AccountsStore.setPassword(userId: userId, encoded: hash, c)
            return try AccountsStore.contact(userId: userId, c)
        }
        guard let user else { throw APIError.badRequest(AccountsRoutes.resetInvalid) }
        services.users.invalidate(token: user.token, id: userId)
        if wantsHTML { return Wire.html(200, ResetPage.message(title: "Password reset", "Password has been reset.")) }
        return Wire.detail(200, "Password has been reset.")
    }

    static func wantsHTML(_ request: Request) -> Bool {
        (request.headers["Accept"] ?? "").contains("text/html")
    }
}

/// The small pages a browser gets from a reset link.
enum ResetPage {
    static func form(action: String) -> String {
        page(title: "Choose a new password", body: """
            <form method="post" action="\(HTML.escape(action))">
            <label for="p">New password (at least 8 characters)</label>
            <input id="p" name="new_password" type="password" minlength="8" required autocomplete="new-password">
            <button type="submit">Set password</button>
            </form>
            """)
    }

    static func message(title: String, _ text: String) -> String {
        page(title: title, body: "<p>\(HTML.escape(text))</p>")
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(HTML.escape(title))</title></head>
        <body><h1>\(HTML.escape(title))</h1>\(body)</body></html>
        """
    }
}
