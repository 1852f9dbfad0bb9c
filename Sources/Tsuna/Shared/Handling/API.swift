import HTTP
import Store
import WriteBehind
import JSON

/// Who may call an open route (SPEC section 1).
enum OpenAccess: Sendable {
    /// Anonymous callers only: a valid token → 403 "Authenticated users are not allowed to access this view".
    case anonymousOnly
    /// Anyone; a bad token is still a 401.
    case anyone
}

/// A route's rate limit (SPEC: the account endpoints per client address, the videos per user).
struct Throttle: Sendable {
    enum Key: Sendable { case client, user }
    let limiter: RateLimiter?
    let key: Key

    static var none: Throttle { Throttle(limiter: nil, key: .client) }
    static func perClient(_ limiter: RateLimiter?) -> Throttle { Throttle(limiter: limiter, key: .client) }
    static func perUser(_ limiter: RateLimiter?) -> Throttle { Throttle(limiter: limiter, key: .user) }

    /// 429 when the caller's bucket is empty.
    func check(_ request: Request, _ caller: Caller?) throws(APIError) {
        guard let limiter else { return }
        // The client's address: behind a trusted proxy, the forwarded one (else one client could lock out all).
        let bucket = key == .user ? (caller?.token ?? request.clientAddress) : request.clientAddress
        if let wait = limiter.acquire(bucket) { throw .throttled(seconds: wait) }
    }
}

/// The handler layer: every API route is declared here with what it needs — who may call, the objects its path
/// names, the rule the caller must satisfy, the body it reads, its throttle — and the layer resolves them in
/// SPEC's order of checks (route → 401 → object 404 → 403 → body) before the handler runs with typed values.
struct API: Sendable {
    let router: Router
    let services: Services
    let catalog: RouteCatalog

    /// An open route: anonymous callers only, or anyone.
    func open(_ method: String, _ pattern: String, _ access: OpenAccess, body: BodySpec = .none,
              throttle: Throttle = .none, answers: [Answer], summary: String, tags: [String],
              _ handler: @escaping @Sendable (OpenContext) async throws -> Response) {
        let services = self.services
        catalog.add(RouteDoc(method: method, pattern: pattern, access: access == .anyone ? .anyone : .anonymousOnly,
                             rule: nil, ruleRefusals: [], body: body, query: [], throttled: throttle.limiter != nil,
                             answers: answers))
        router.add(method, pattern, bodyLimit: body.limit(services.configuration), summary: summary, tags: tags) { request in
            try await API.answer {
                let caller = try services.authentication.caller(of: request)
                if access == .anonymousOnly && caller != nil {
                    throw APIError.forbidden("Authenticated users are not allowed to access this view")
                }
                try throttle.check(request, caller)
                var response = try await Input.read(request, body, services) { input in
                    try await handler(OpenContext(request: request, services: services, caller: caller, input: input))
                }
                response.logUser = caller?.token
                return response
            }
        }
    }

    /// A signed-in route whose path names objects: `loader` finds them (404), `rule` decides the caller (403).
    func route<S: Sendable>(_ method: String, _ pattern: String, _ loader: Loader<S>, _ rule: Rule<S> = .anyone,
                            query: [BodyField] = [], body: BodySpec = .none, throttle: Throttle = .none,
                            answers: [Answer], summary: String, tags: [String],
                            _ handler: @escaping @Sendable (Context<S>) async throws -> Response) {
        let services = self.services
        catalog.add(RouteDoc(method: method, pattern: pattern, access: .signedIn, rule: rule.summary,
                             ruleRefusals: rule.refusals, body: body, query: query, throttled: throttle.limiter != nil,
                             answers: answers))
        router.add(method, pattern, bodyLimit: body.limit(services.configuration), summary: summary, tags: tags) { request in
            try await API.answer {
                guard let caller = try services.authentication.caller(of: request) else { throw APIError.notAuthenticated }
                try throttle.check(request, caller)
                let scope = try await loader.load(ScopeRequest(request: request, caller: caller, services: services,
                                                               needsRole: rule.needsRole))
                try rule.check(caller, scope)
                var response = try await Input.read(request, body, services) { input in
                    try await handler(Context(request: request, services: services, caller: caller, scope: scope, input: input))
                }
                // The access log names who acted (the user's public token, never a credential).
                response.logUser = caller.token
                return response
            }
        }
    }

    /// A signed-in route whose path names no object.
    func route(_ method: String, _ pattern: String, _ rule: Rule<NoScope> = .anyone, query: [BodyField] = [],
               body: BodySpec = .none, throttle: Throttle = .none, answers: [Answer], summary: String, tags: [String],
               _ handler: @escaping @Sendable (Context<NoScope>) async throws -> Response) {
        route(method, pattern, .none, rule, query: query, body: body, throttle: throttle, answers: answers,
              summary: summary, tags: tags, handler)
    }

    /// Runs a request's work and renders the API's errors; anything else reaches the server as a 500.
    static func answer(_ work: () async throws -> Response) async throws -> Response {
        do {
            return try await work()
        } catch let error as APIError {
            return error.response
        } catch let error as FailureClassifiable where error.isStorageUnavailable {
            return APIError.storageUnavailable.response
        }
    }
}

/// Errors of the generic layers that may mean the disk is full or the data folder read-only.
protocol FailureClassifiable: Error {
    var isStorageUnavailable: Bool { get }
}

/// A full disk or a read-only database answers 503 (nothing was changed), not a generic 500.
extension StoreError: FailureClassifiable {}
/// A write-behind cache that cannot keep a write (its snapshots fail) refuses it: 503, never an empty promise.
extension WriteBehindError: FailureClassifiable {}
