import Platform

/// What the handler layer knows of a route beyond its pattern: who may call it, what rule it applies, what
/// body it reads and what it answers. The API documentation is generated from it, so the two cannot drift.
struct RouteDoc: Sendable {
    enum Access: Sendable { case anonymousOnly, anyone, signedIn }
    let method: String
    let pattern: String
    let access: Access
    /// Who may call, in words ("the channel's admins with can_add_object"), when a rule restricts it.
    let rule: String?
    /// The rule's 403 messages.
    let ruleRefusals: [String]
    let body: BodySpec
    /// The query parameters the handler reads, besides a list's paging.
    let query: [BodyField]
    /// A rate limit applies (429).
    let throttled: Bool
    let answers: [Answer]
}

/// The routes the handler layer registered, in registration order.
final class RouteCatalog: Sendable {
    private let docs = Locked<[RouteDoc]>([])

    func add(_ doc: RouteDoc) { docs.withLock { $0.append(doc) } }

    var all: [RouteDoc] { docs.withLock { $0 } }

    func doc(method: String, pattern: String) -> RouteDoc? {
        docs.withLock { $0.first { $0.method == method && $0.pattern == pattern } }
    }
}
