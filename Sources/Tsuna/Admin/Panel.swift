import HTTP
import Store

/// The panel layer, beside the API's: the panel signs in with its own cookie, so its routes go on the router
/// directly. A route states what it needs — a page for signed-in administrators, an action (a POST from this
/// panel's own form), or an open route — and the layer resolves the session, checks that its user is still an
/// active site administrator (on every request, through the user directory, which every change invalidates),
/// checks origin and CSRF token on every POST, reads the query and the form strictly, and renders refusals and
/// failures as pages. Every response leaves with the panel's security headers.
struct Panel: Sendable {
    let router: Router
    let services: Services
    let sessions: AdminSessions

    /// Where a request stands with the panel.
    enum Standing: Sendable {
        case signedOut
        /// Signed in, but the user is no longer an active site administrator: their sessions were ended.
        case notAdministrator
        case signedIn(PanelContext)
    }

    /// A page (GET) for signed-in administrators; anyone else is sent to the sign-in form.
    func page(_ pattern: String, _ summary: String, _ handler: @escaping @Sendable (PanelContext) async throws -> Response) {
        router.add("GET", pattern, bodyLimit: PanelForm.maxBytes, summary: summary, tags: ["admin"]) { request in
            await answer(request) {
                switch try await standing(request, form: PanelForm()) {
                case .signedOut: return PanelLayout.redirect("/admin/")
                case .notAdministrator: return SignInPage.form(status: 403, message: SignInPage.onlyAdministrators, request, services)
                case .signedIn(let ctx): return try await run(ctx, handler)
                }
            }
        }
    }

    /// A state-changing POST from the panel's own form: same origin, a live session of an administrator and the
    /// session's CSRF token, all checked before the handler runs; any refusal changes nothing.
    func action(_ pattern: String, _ summary: String, _ handler: @escaping @Sendable (PanelContext) async throws -> Response) {
        router.add("POST", pattern, bodyLimit: PanelForm.maxBytes, summary: summary, tags: ["admin"]) { request in
            await answer(request) {
                guard PanelHeaders.isSameOrigin(request, domain: services.domain) else { throw PanelError.otherSite }
                let form = try await PanelForm.read(request)
                switch try await standing(request, form: form) {
                case .signedOut: throw PanelError.signedOut
                case .notAdministrator: return SignInPage.form(status: 403, message: SignInPage.onlyAdministrators, request, services)
                case .signedIn(let ctx):
                    guard PanelHeaders.matches(form["csrf"], ctx.session.csrfToken) else { throw PanelError.badToken }
                    return try await run(ctx, handler)
                }
            }
        }
    }

    /// A route anyone may reach (the sign-in form, the stylesheet); the handler decides from the standing.
    func open(_ method: String, _ pattern: String, _ summary: String,
              _ handler: @escaping @Sendable (Request, PanelForm, Standing) async throws -> Response) {
        router.add(method, pattern, bodyLimit: PanelForm.maxBytes, summary: summary, tags: ["admin"]) { request in
            await answer(request) {
                if method == "POST" { guard PanelHeaders.isSameOrigin(request, domain: services.domain) else { throw PanelError.otherSite } }
                let form = method == "POST" ? try await PanelForm.read(request) : PanelForm()
                return try await handler(request, form, try await standing(request, form: form))
            }
        }
    }

    /// A route that needs no session at all (the stylesheet, unknown addresses): no lookup, only the headers.
    func plain(_ pattern: String, _ summary: String, _ handler: @escaping @Sendable (Request) async throws -> Response) {
        router.add("GET", pattern, bodyLimit: PanelForm.maxBytes, summary: summary, tags: ["admin"]) { request in
            await answer(request) { try await handler(request) }
        }
    }

    /// The session named by the cookie, and whether its user may still use the panel.
    func standing(_ request: Request, form: PanelForm) async throws -> Standing {
        let query = try PanelQuery(request)
        guard let cookie = PanelHeaders.cookie(AdminSessions.cookieName, in: request),
              let session = try sessions.find(cookie: cookie),
              let reference = try services.users.reference(session.userId),
              let entry = try services.users.user(token: reference.token) else { return .signedOut }
        let user = entry.record
        guard user.isAdmin && user.isActive else {
            try await sessions.endAll(userId: user.id)
            return .notAdministrator
        }
        try await sessions.touch(session)
        return .signedIn(PanelContext(request: request, services: services, sessions: sessions, admin: user,
                                      session: session, query: query, form: form))
    }

    /// Runs a signed-in handler; a refusal is shown inside the layout, with the navigation.
    func run(_ ctx: PanelContext, _ handler: @Sendable (PanelContext) async throws -> Response) async throws -> Response {
        do {
            return try await handler(ctx)
        } catch {
            let shown = refusal(error, ctx.request)
            var response = ctx.page(shown.status == 404 ? "Not found" : "Not done", nil, status: shown.status,
                                    Panel.refusalBody(shown))
            if let seconds = shown.retryAfter { response.headers.add("Retry-After", String(seconds)) }
            return response
        }
    }

    /// Runs the route's work; errors become pages; every answer gets the security headers.
    private func answer(_ request: Request, _ work: () async throws -> Response) async -> Response {
        var response: Response
        do {
            response = try await work()
        } catch {
            let shown = refusal(error, request)
            response = PanelLayout.response(shown.status, PanelLayout.document(
                title: shown.status == 404 ? "Not found" : "Not done", section: nil, signedIn: nil, notice: nil,
                body: Panel.refusalBody(shown)))
            if let seconds = shown.retryAfter { response.headers.add("Retry-After", String(seconds)) }
        }
        PanelHeaders.secure(&response.headers)
        return response
    }

    private static func refusalBody(_ refusal: PanelError) -> Markup {
        "<p class=\"error\" role=\"alert\">\(refusal.message)</p><p><a href=\"/admin/\">Back to the panel</a></p>"
    }

    /// What to tell the administrator about an error: the domain's own refusals keep their messages; anything
    /// unexpected is logged with the request id and shown as a 500 page without details.
    private func refusal(_ error: Error, _ request: Request) -> PanelError {
        switch error {
        case let e as PanelError: return e
        case let e as APIError: return Panel.refusal(e)
        // The body could not be read (too large, too slow): the connection closes after this page.
        case let e as HTTPFailure: return PanelError(e.status, "The form could not be received (\(e.status)).")
        case let e as FailureClassifiable where e.isStorageUnavailable:
            return PanelError(503, "The database cannot be written right now (disk full or read-only). Nothing was changed.",
                              retryAfter: 30)
        default:
            logLine(level: .error, "request_id=\(request.requestId) admin \(request.method) \(request.path): \(error)")
            return PanelError(500, "Something went wrong on the server (request \(request.requestId)); the log has the details.")
        }
    }

    static func refusal(_ error: APIError) -> PanelError {
        switch error {
        case .notFound: return .notFound
        case .badRequest(let m), .forbidden(let m): return PanelError(error.response.status, m)
        case .fields(let errors): return .badRequest(errors.entries.flatMap(\.messages).joined(separator: " "))
        case .throttled(let seconds):
            return PanelError(429, "Too many attempts. Try again in \(seconds) seconds.", retryAfter: seconds)
        case .storageUnavailable:
            return PanelError(503, "The database cannot be written right now. Nothing was changed.", retryAfter: 30)
        case .busy:
            return PanelError(503, "The server is busy checking passwords. Try again in a moment.", retryAfter: 1)
        case .detail(let status, let m): return PanelError(status, m)
        default: return PanelError(error.response.status, "The request was refused.")
        }
    }
}
