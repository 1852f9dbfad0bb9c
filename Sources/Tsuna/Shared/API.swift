import HTTP

/// Who may call a route (SPEC section 1): checked after routing, before anything else.
enum Access {
    /// Anonymous callers only: a valid token → 403 "Authenticated users are not allowed to access this view".
    case anonymousOnly
    /// A valid access token is required (missing → 401).
    case authenticated
    /// Anyone; a bad token is still a 401.
    case anyone
}

/// What a handler gets: the request, the caller (nil only on anonymous routes) and the services.
struct Context {
    let request: Request
    let caller: Caller?
    let services: Services

    /// The caller on an authenticated route.
    var user: Caller { caller! }
    func parameter(_ name: String) -> String { request.parameters[name] ?? "" }
}

/// Registers the API's routes with authentication, throttling and body limits applied the same way everywhere.
struct API {
    let router: Router
    let services: Services

    typealias Handler = @Sendable (Context) async throws -> Response

    func route(_ method: String, _ pattern: String, access: Access = .authenticated, bodyLimit: Int = 1 << 20,
               throttle: RateLimiter? = nil, throttleBy: ThrottleKey = .ip, summary: String, tags: [String],
               _ handler: @escaping Handler) {
        let services = self.services
        router.add(method, pattern, bodyLimit: bodyLimit, summary: summary, tags: tags) { request in
            let caller = try services.authenticate(request)
            switch access {
            case .anonymousOnly:
                if caller != nil { throw APIError.forbidden("Authenticated users are not allowed to access this view") }
            case .authenticated:
                if caller == nil { throw APIError.notAuthenticated }
            case .anyone:
                break
            }
            if let throttle {
                let key = throttleBy == .user ? (caller?.token ?? request.remoteAddress) : request.remoteAddress
                if let wait = throttle.acquire(key) {
                    var r = Response.detail(429, "Request was throttled. Expected available in \(wait) seconds.")
                    r.headers.add("Retry-After", String(wait))
                    return r
                }
            }
            let context = Context(request: request, caller: caller, services: services)
            // The body is read only now, after authentication and throttling (Input.parse uses it).
            if case .file = try await request.body() {
                // A spilled (large) body means parsing and moving megabytes of upload: do it on the shared
                // pool, never on an event loop.
                return try await withTaskExecutorPreference(globalConcurrentExecutor) { try await handler(context) }
            }
            return try await handler(context)
        }
    }

    enum ThrottleKey { case ip, user }
}
