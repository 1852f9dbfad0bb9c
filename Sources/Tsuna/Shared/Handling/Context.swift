import HTTP
import JSON

/// What a handler of a signed-in route receives: the caller, the objects its path names (its scope) and the
/// parsed body — all resolved by the handler layer (`API`) in SPEC's order of checks before the handler runs.
struct Context<Scope: Sendable>: Sendable {
    let request: Request
    let services: Services
    let caller: Caller
    let scope: Scope
    /// The body's fields and files (empty for routes that read no body).
    let input: Input

    func query(_ name: String) -> String? { request.query(name) }

    /// The list page the query asks for (limit, offset, position key).
    var page: Page { Page(request, cursors: services.cursors) }
}

/// What a handler of an open route (anonymous-only, or anyone) receives.
struct OpenContext: Sendable {
    let request: Request
    let services: Services
    /// nil for anonymous callers; on anonymous-only routes always nil.
    let caller: Caller?
    let input: Input

    func parameter(_ name: String) -> String { request.parameters[name] ?? "" }
}

/// A route that names no object.
struct NoScope: Sendable {}

/// Scopes that hold a channel (the channel's own routes, its items, its admins).
protocol ChannelScoped: Sendable {
    var channel: ChannelRecord { get }
}

/// Scopes that carry the caller's standing in the channel, when a rule or the handler needs it.
protocol RoleScoped: ChannelScoped {
    /// The caller's admin record in the channel; nil when not an admin, or when nothing asked for it.
    var role: ChannelRole? { get }
}

extension Context where Scope: ChannelScoped {
    var channel: ChannelRecord { scope.channel }
}

extension Context where Scope: RoleScoped {
    var role: ChannelRole? { scope.role }
}

/// What a loader gets to find a route's objects.
struct ScopeRequest: Sendable {
    let request: Request
    let caller: Caller
    let services: Services
    /// A rule of the route needs the caller's channel role: load it with the channel.
    let needsRole: Bool

    /// A path parameter by name ("" when absent).
    func parameter(_ name: String) -> String { request.parameters[name] ?? "" }
}

/// How a route finds the objects its path names: 404 when one is missing (SPEC's "the object exists" step).
/// Features define their loaders next to their scopes (`Loader.channel`, `Loader.item(…)`, …).
struct Loader<Scope: Sendable>: Sendable {
    let load: @Sendable (ScopeRequest) async throws -> Scope
}

extension Loader where Scope == NoScope {
    static var none: Loader { Loader { _ in NoScope() } }
}

/// What the caller must be allowed on a route, checked after its objects are found (SPEC's 403 step).
struct Rule<Scope: Sendable>: Sendable {
    /// The check needs the caller's channel role (the loader fetches it).
    let needsRole: Bool
    /// Who may call, in words, for the API documentation.
    let summary: String?
    /// The 403 messages the check gives, for the API documentation.
    let refusals: [String]
    let check: @Sendable (Caller, Scope) throws(APIError) -> Void

    init(needsRole: Bool, summary: String?, refusals: [String] = [],
         check: @escaping @Sendable (Caller, Scope) throws(APIError) -> Void) {
        self.needsRole = needsRole
        self.summary = summary
        self.refusals = refusals
        self.check = check
    }

    static var anyone: Rule { Rule(needsRole: false, summary: nil) { _, _ throws(APIError) in } }

    /// Site administrators only.
    static func siteAdmin(_ message: String) -> Rule {
        Rule(needsRole: false, summary: "site administrators", refusals: [message]) { caller, _ throws(APIError) in
            if !caller.isAdmin { throw .forbidden(message) }
        }
    }
}

extension Rule where Scope: ChannelScoped {
    /// The channel's owner only.
    static func channelOwner(_ message: String) -> Rule {
        Rule(needsRole: false, summary: "the channel's owner", refusals: [message]) { caller, scope throws(APIError) in
            if scope.channel.ownerId != caller.id { throw .forbidden(message) }
        }
    }
}

extension Rule where Scope: RoleScoped {
    /// Any admin of the channel (the owner included).
    static func channelAdmin(_ message: String) -> Rule {
        Rule(needsRole: true, summary: "the channel's admins", refusals: [message]) { _, scope throws(APIError) in
            if scope.role == nil { throw .forbidden(message) }
        }
    }

    /// An admin of the channel holding `permission` (the owner holds every one). A caller who is no admin at
    /// all gets `notAdmin` when given, else `message`.
    static func permission(_ permission: ChannelPermission, _ message: String, notAdmin: String? = nil) -> Rule {
        Rule(needsRole: true, summary: "the channel's admins with \(permission.rawValue)",
             refusals: [notAdmin, message].compactMap { $0 }) { _, scope throws(APIError) in
            guard let role = scope.role else { throw .forbidden(notAdmin ?? message) }
            if !role.has(permission) { throw .forbidden(message) }
        }
    }

    /// No check, but the handler needs the caller's role (e.g. to render it).
    static var withRole: Rule { Rule(needsRole: true, summary: nil) { _, _ throws(APIError) in } }
}
