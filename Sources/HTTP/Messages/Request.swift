import Foundation
import Synchronization

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
public final class TemporaryFile: Sendable {
    public let path: String
    public let length: Int
    /// Whether the file was persisted or removed: nothing is left to clean up.
    private let settled = Mutex(false)

    init(path: String, length: Int) {
        self.path = path
        self.length = length
    }

    /// Renames the file to `destination` (same filesystem); afterwards it is no longer removed.
    public func persist(to destination: String) throws {
        try settled.withLock { settled in
            guard rename(path, destination) == 0 else { throw SocketError(call: "rename", code: errno) }
            settled = true
        }
    }

    /// Deletes the file unless it was persisted; safe to call more than once.
    public func remove() {
        settled.withLock { settled in
            if !settled { unlink(path) }
            settled = true
        }
    }

    deinit { remove() }
}

/// One HTTP request, handed to a route handler. Immutable: handlers may pass it between tasks.
public final class Request: Sendable {
    public let head: RequestHead
    /// Route parameters by name (percent-decoded).
    public let parameters: [String: String]
    /// The route pattern that matched, e.g. "/channels/v1/:token/".
    public let routePattern: String
    public let body: RequestBody
    public let remoteAddress: String
    public let requestId: String
    /// When the server finished reading the request head (monotonic ms).
    let startedAt: Int64
    let failures: FailureRenderer

    init(head: RequestHead, parameters: [String: String], routePattern: String, body: RequestBody,
         remoteAddress: String, requestId: String, startedAt: Int64, failures: FailureRenderer) {
        self.head = head
        self.parameters = parameters
        self.routePattern = routePattern
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestId = requestId
        self.startedAt = startedAt
        self.failures = failures
    }

    public var method: String { head.method }
    public var headers: HTTPHeaders { head.headers }
    /// The raw (percent-encoded) path.
    public var path: String { head.rawPath }

    /// Query parameters, percent-decoded ('+' as space); the first value wins in `query(_:)`.
    /// Parsed on each use: queries are short and read once or twice.
    public var queryItems: [(String, String)] {
        guard let q = head.query else { return [] }
        return PercentEncoding.parseForm(Substring(q)) ?? []
    }

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

    /// The response the server would give for `failure`, in the application's wire format (for handlers
    /// such as `StaticFiles` that answer a failure themselves rather than throwing it).
    public func failureResponse(_ failure: HTTPFailure) -> Response {
        failures.response(failure)
    }
}
