import HTTP
import Security

/// Signing in and out (SPEC 13): site administrators sign in with email and password, throttled per client
/// address like the API's login; a successful sign-in starts a session held in the `tsuna_admin` cookie.
enum SignInPage {
    static let onlyAdministrators = "Only site administrators can sign in here."
    static let wrongCredentials = "Wrong email or password."
    static let missingFields = "Enter your email address and password."
    static let expiredForm = "This sign-in form has expired. Please try again."
    /// Before there is a session, the sign-in form's own CSRF token travels in this cookie and in the form
    /// (a page of another site can set neither), so no one can be signed in to an account by another site.
    static let formCookieName = "tsuna_admin_signin"

    static func register(on panel: Panel, dashboard: DashboardPage) {
        panel.open("GET", "/admin/", "The panel: the dashboard, or the sign-in form for anyone not signed in") { request, _, standing in
            switch standing {
            case .signedOut: return form(status: 200, message: nil, request, panel.services)
            case .notAdministrator: return form(status: 403, message: onlyAdministrators, request, panel.services)
            case .signedIn(let ctx): return try await panel.run(ctx, dashboard.show)
            }
        }
        panel.open("POST", "/admin/sign-in/", "Sign in with email and password (site administrators)") { request, form, standing in
            if case .signedIn = standing { return PanelLayout.redirect("/admin/") }
            return try await signIn(request, form, panel)
        }
        panel.action("/admin/sign-out/", "Sign out: ends the session") { ctx in
            try await ctx.sessions.end(ctx.session)
            try await ctx.audit("sign out", AuditObject(type: "user", token: ctx.admin.token, label: ctx.admin.email))
            var response = PanelLayout.redirect("/admin/")
            response.headers.add("Set-Cookie", PanelHeaders.setCookie(AdminSessions.cookieName, nil, secure: isSecure(ctx.services)))
            return response
        }
    }

    static func isSecure(_ services: Services) -> Bool {
        services.configuration.domain.lowercased().hasPrefix("https:")
    }

    private static func signIn(_ request: Request, _ form: PanelForm, _ panel: Panel) async throws -> Response {
        let services = panel.services
        if let limiter = services.authThrottle, let wait = limiter.acquire(request.remoteAddress) {
            throw PanelError(429, "Too many sign-in attempts. Try again in \(wait) seconds.", retryAfter: wait)
        }
        let email = form.text("email") ?? ""
        guard PanelHeaders.matches(form["csrf"], PanelHeaders.cookie(formCookieName, in: request) ?? "") else {
            return SignInPage.form(status: 403, message: expiredForm, email: email, request, services)
        }
        guard !email.isEmpty, let password = form["password"], !password.isEmpty else {
            return SignInPage.form(status: 400, message: missingFields, email: email, request, services)
        }
        let user = email.utf8.count <= 200 ? try services.store.read { try AccountsStore.user(email: email, $0) } : nil
        let hasher = services.passwords
        let passwordMatches: Bool
        if let encoded = user?.password {
            passwordMatches = try await PasswordWork.run { hasher.verify(password, encoded: encoded) }
        } else {
            // Same cost as a real check, so the answer's time does not reveal which emails exist.
            passwordMatches = try await PasswordWork.run { hasher.dummyVerify(password); return false }
        }
        guard passwordMatches, let user else {
            logLine(level: .warning, "admin: sign-in refused for \(loggable(email)) from \(request.clientAddress): wrong credentials")
            return SignInPage.form(status: 401, message: wrongCredentials, email: email, request, services)
        }
        guard user.isAdmin && user.isActive else {
            logLine(level: .warning, "admin: sign-in refused for \(loggable(email)) from \(request.clientAddress): not a site administrator")
            return SignInPage.form(status: 403, message: onlyAdministrators, email: email, request, services)
        }
        let cookie = try await panel.sessions.start(userId: user.id)
        let now = Clock.nowMicros()
        try await services.store.write { c in
            try AuditLog.record(actorId: user.id, actorEmail: user.email, action: "sign in",
                                object: AuditObject(type: "user", token: user.token, label: user.email), now: now, c)
        }
        var response = PanelLayout.redirect("/admin/")
        let secure = isSecure(services)
        response.headers.add("Set-Cookie", PanelHeaders.setCookie(AdminSessions.cookieName, cookie, secure: secure))
        response.headers.add("Set-Cookie", PanelHeaders.setCookie(formCookieName, nil, secure: secure))
        return response
    }

    /// Typed text in a log line: control characters replaced, length bounded.
    private static func loggable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }

    /// The sign-in form, with a message when a sign-in was refused. The form's token is the one its cookie holds
    /// (kept across reloads and tabs), or a new one.
    static func form(status: Int, message: String?, email: String = "", _ request: Request, _ services: Services) -> Response {
        let sent = PanelHeaders.cookie(formCookieName, in: request)
        let token = sent.flatMap { AdminSessions.isWellFormed($0) ? $0 : nil } ?? Base64URL.encode(SecureRandom.bytes(32))
        let alert: Markup = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        let body: Markup = """
        \(alert)
        <form class="signin" method="post" action="/admin/sign-in/">
        \(PanelLayout.csrfField(token))
        <label>Email <input type="email" name="email" value="\(email)" autocomplete="username" required maxlength="200" autofocus></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
        </form>
        <p class="muted">For site administrators. Create the first one with <code>tsuna create-admin --email …</code>.</p>
        """
        var response = PanelLayout.response(status, PanelLayout.document(title: "Sign in", section: nil, signedIn: nil,
                                                                         notice: nil, body: body))
        let secure = isSecure(services)
        if token != sent { response.headers.add("Set-Cookie", PanelHeaders.setCookie(formCookieName, token, secure: secure)) }
        // A session cookie that no longer signs anyone in is cleared.
        if PanelHeaders.cookie(AdminSessions.cookieName, in: request) != nil {
            response.headers.add("Set-Cookie", PanelHeaders.setCookie(AdminSessions.cookieName, nil, secure: secure))
        }
        return response
    }
}
