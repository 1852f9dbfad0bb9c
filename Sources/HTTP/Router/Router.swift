import Platform

/// A route handler. It runs on the event loop that read the request (as a task preferring that loop's
/// executor), so it must never block: await actors or the store's writer for anything slow.
public typealias Handler = @Sendable (Request) async throws -> Response

/// A registered route, as later layers read it to document the API.
public struct RouteInfo: Sendable {
    public let method: String
    /// Pattern with `:name` parameters and an optional trailing `*rest`, e.g. "/channels/v1/:token/".
    public let pattern: String
    public let bodyLimit: Int
    public let summary: String
    public let tags: [String]
}

public struct RouteEntry: Sendable {
    public let info: RouteInfo
    let handler: Handler
    /// Position in registration order (`Router.routes`): what metrics key a route by.
    let index: Int
}

public enum RouteMatch: Sendable {
    case found(RouteEntry, [String: String])
    /// The path exists for other methods; the list is for the `Allow` header.
    case methodNotAllowed([String])
    case notFound
}

/// Method + path patterns. Fixed segments win over parameters; a trailing slash is optional.
/// Routes are registered before the server starts; the server matches against an immutable snapshot.
public final class Router: Sendable {
    private struct State {
        var root = RouteBuilderNode()
        var routes: [RouteInfo] = []
        var table: RouteTable?
    }
    private let state = Locked(State())

    public init() {}

    /// Every registered route, in registration order.
    public var routes: [RouteInfo] { state.withLock { $0.routes } }

    /// Registers `handler` for `method` on `pattern`. Register everything before the server starts.
    public func add(_ method: String, _ pattern: String, bodyLimit: Int = 1 << 20, summary: String = "",
                    tags: [String] = [], _ handler: @escaping Handler) {
        let info = RouteInfo(method: method, pattern: pattern, bodyLimit: bodyLimit, summary: summary, tags: tags)
        state.withLock { state in
            state.root.insert(RouteEntry(info: info, handler: handler, index: state.routes.count))
            state.routes.append(info)
            state.table = nil
        }
    }

    public func get(_ p: String, summary: String = "", tags: [String] = [], _ h: @escaping Handler) { add("GET", p, summary: summary, tags: tags, h) }
    public func delete(_ p: String, summary: String = "", tags: [String] = [], _ h: @escaping Handler) { add("DELETE", p, summary: summary, tags: tags, h) }

    /// Finds the route for a raw (percent-encoded) path. HEAD falls back to GET.
    public func match(method: String, rawPath: String) -> RouteMatch {
        table.match(method: method, rawPath: rawPath)
    }

    /// The routes as they are now, frozen for lock-free matching.
    var table: RouteTable {
        state.withLock { state in
            if let table = state.table { return table }
            let table = RouteTable(root: RouteNode(state.root))
            state.table = table
            return table
        }
    }
}

/// The registration tree, mutable while routes are added (only inside the router's lock).
final class RouteBuilderNode {
    var fixed: [String: RouteBuilderNode] = [:]
    var parameter: (name: String, node: RouteBuilderNode)?
    var rest: (name: String, entries: [String: RouteEntry])?
    var entries: [String: RouteEntry] = [:]

    func insert(_ entry: RouteEntry) {
        let method = entry.info.method, pattern = entry.info.pattern
        var node = self
        for segment in pattern.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("*") {
                var rest = node.rest ?? (String(segment.dropFirst()), [:])
                precondition(rest.entries[method] == nil, "duplicate route \(method) \(pattern)")
                rest.entries[method] = entry
                node.rest = rest
                return
            }
            if segment.hasPrefix(":") {
                let name = String(segment.dropFirst())
                if node.parameter == nil { node.parameter = (name, RouteBuilderNode()) }
                precondition(node.parameter!.name == name, "conflicting parameter names at \(pattern)")
                node = node.parameter!.node
            } else {
                let key = String(segment)
                if node.fixed[key] == nil { node.fixed[key] = RouteBuilderNode() }
                node = node.fixed[key]!
            }
        }
        precondition(node.entries[method] == nil, "duplicate route \(method) \(pattern)")
        node.entries[method] = entry
    }
}

/// A frozen node of the routing tree.
final class RouteNode: Sendable {
    let fixed: [String: RouteNode]
    let parameter: (name: String, node: RouteNode)?
    let rest: (name: String, entries: [String: RouteEntry])?
    let entries: [String: RouteEntry]

    init(_ b: RouteBuilderNode) {
        fixed = b.fixed.mapValues(RouteNode.init)
        parameter = b.parameter.map { ($0.name, RouteNode($0.node)) }
        rest = b.rest
        entries = b.entries
    }
}

/// The frozen routes: what connections match requests against.
struct RouteTable: Sendable {
    let root: RouteNode

    func match(method: String, rawPath: String) -> RouteMatch {
        var node = root
        var params: [String: String] = [:]
        let bytes = rawPath.utf8
        var i = bytes.startIndex
        let slash = UInt8(ascii: "/")
        // Walk segment by segment over the UTF-8 bytes (no Character processing on this hot path).
        while true {
            while i < bytes.endIndex && bytes[i] == slash { i = bytes.index(after: i) }
            if i == bytes.endIndex { break }
            var end = i
            while end < bytes.endIndex && bytes[end] != slash { end = bytes.index(after: end) }
            let raw = Substring(bytes[i..<end])
            guard let segment = Self.decode(raw) else { return .notFound }
            if let next = node.fixed[segment] {
                node = next
            } else if let (name, next) = node.parameter {
                params[name] = segment
                node = next
            } else if let rest = node.rest {
                params[rest.name] = String(Substring(bytes[i...]))
                return pick(rest.entries, method, params)
            } else {
                return .notFound
            }
            i = end
        }
        if node.entries.isEmpty, let rest = node.rest {
            params[rest.name] = ""
            return pick(rest.entries, method, params)
        }
        return pick(node.entries, method, params)
    }

    private func pick(_ entries: [String: RouteEntry], _ method: String, _ params: [String: String]) -> RouteMatch {
        if entries.isEmpty { return .notFound }
        if let e = entries[method] { return .found(e, params) }
        if method == "HEAD", let e = entries["GET"] { return .found(e, params) }
        var allow = entries.keys.sorted()
        if entries["GET"] != nil && entries["HEAD"] == nil { allow.append("HEAD") }
        return .methodNotAllowed(allow)
    }

    @inline(__always) private static func decode(_ raw: Substring) -> String? {
        if !raw.utf8.contains(UInt8(ascii: "%")) { return String(raw) }
        return PercentEncoding.decode(raw, plusAsSpace: false)
    }
}
