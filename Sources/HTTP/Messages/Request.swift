import Foundation

/// A request body as the server received it: nothing, bytes in memory, or a temporary file (large bodies).
public enum RequestBody: Sendable {
    case empty
    case bytes([UInt8])
    case file(TemporaryFile)

    public var count: Int {
        switch self {
        case .empty: return 0
        case .bytes(let b): return b.count
        case .file(let f): return f.length
        }
    }
}

/// A spilled request body on disk. The file is removed when the last reference goes away, unless the
/// handler moved it elsewhere with `persist(to:)`.
public final class TemporaryFile: @unchecked Sendable {
    public let path: String
    public internal(set) var length: Int
    private var moved = false
    private let lock = NSLock()

    init(path: String, length: Int) {
        self.path = path
        self.length = length
    }

    /// Renames the file to `destination` (same filesystem); afterwards it is no longer removed.
    public func persist(to destination: String) throws {
        try lock.withLock {
            guard rename(path, destination) == 0 else { throw SocketError(call: "rename", code: errno) }
            moved = true
        }
    }

    /// Deletes the file unless it was persisted; safe to call more than once.
    public func remove() {
        lock.withLock {
            if !moved { unlink(path) }
            moved = true
        }
    }

    deinit { if !moved { unlink(path) } }
}

/// One HTTP request, handed to a route handler.
public final class Request: @unchecked Sendable {
    public let head: RequestHead
    /// Route parameters by name (percent-decoded).
    public internal(set) var parameters: [String: String] = [:]
    /// The route pattern that matched, e.g. "/channels/v1/:token/".
    public internal(set) var routePattern: String = ""
    public internal(set) var body: RequestBody = .empty
    public let remoteAddress: String
    public let requestId: String
    /// When the server finished reading the request head (monotonic ms).
    let startedAt: Int64
    /// Free slot for the application's per-request context (authentication, …).
    public var context: AnyObject?

    init(head: RequestHead, remoteAddress: String, requestId: String, startedAt: Int64) {
        self.head = head
        self.remoteAddress = remoteAddress
        self.requestId = requestId
        self.startedAt = startedAt
    }

    public var method: String { head.method }
    public var headers: HTTPHeaders { head.headers }
    /// The raw (percent-encoded) path.
    public var path: String { head.rawPath }

    /// Query parameters, percent-decoded ('+' as space); the first value wins in `query(_:)`.
    public lazy var queryItems: [(String, String)] = {
        guard let q = head.query else { return [] }
        return PercentEncoding.parseForm(Substring(q)) ?? []
    }()

    public func query(_ name: String) -> String? {
        queryItems.first(where: { $0.0 == name })?.1
    }

    /// The whole body in memory (reads a spilled file; use only for bodies known to be small).
    public func bodyBytes() -> [UInt8] {
        switch body {
        case .empty: return []
        case .bytes(let b): return b
        case .file(let f): return (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: f.path)))) ?? []
        }
    }

    /// The media type of the body, lowercased, without parameters ("application/json").
    public var mediaType: String? {
        guard let ct = head.headers["Content-Type"] else { return nil }
        let base = ct.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ct
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
