import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

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

    /// The whole body in memory (reads a spilled file: use only for bodies known to be small). A file that
    /// cannot be read counts as a failure of the server.
    public func allBytes() throws(HTTPFailure) -> [UInt8] {
        switch self {
        case .empty: return []
        case .bytes(let b): return b
        case .file(let f):
            guard let data = FileManager.default.contents(atPath: f.path) else { throw .internalError }
            return [UInt8](data)
        }
    }
}

/// A spilled request body on disk. The file is removed when the last reference goes away, unless the
/// handler moved it elsewhere with `persist(to:)`.
public final class TemporaryFile: Sendable {
    public let path: String
    public let length: Int
    /// Whether the file was persisted or removed: nothing is left to clean up.
    private let settled = Locked(false)

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

/// One HTTP request, handed to a route handler. Immutable apart from the body, which is read only when
/// the handler asks for it: handlers may pass the request between tasks.
public final class Request: Sendable {
    public let head: RequestHead
    /// Route parameters by name (percent-decoded).
    public let parameters: [String: String]
    /// The route pattern that matched, e.g. "/channels/v1/:token/".
    public let routePattern: String
    /// The peer of the connection (a proxy's address when the client is behind one).
    public let remoteAddress: String
    /// The client's address: the peer, or when the peer is a trusted proxy the address it forwarded
    /// (`ServerConfiguration.trustedProxies`). For throttles and logs.
    public let clientAddress: String
    public let requestId: String
    /// When the server finished reading the request head (monotonic ms).
    let startedAt: Int64
    let failures: FailureRenderer
    private let bodySource: BodySource
    private let bodyResult = Locked<Result<RequestBody, HTTPFailure>?>(nil)

    init(head: RequestHead, parameters: [String: String], routePattern: String, remoteAddress: String,
         clientAddress: String, requestId: String, startedAt: Int64, body: BodySource, failures: FailureRenderer) {
        self.head = head
        self.parameters = parameters
        self.routePattern = routePattern
        self.remoteAddress = remoteAddress
        self.clientAddress = clientAddress
        self.requestId = requestId
        self.startedAt = startedAt
        self.bodySource = body
        self.failures = failures
        self.queryItems = head.query.flatMap { PercentEncoding.parseForm(Substring($0)) } ?? []
    }

    /// The body, read now if it was not yet: the server reads nothing of a body before the handler asks.
    /// The route's body limit applies here. Later calls return the same body (or throw the same failure).
    ///
    /// Throws the `HTTPFailure` the server would answer with: `.payloadTooLarge` (a Content-Length or a
    /// chunked body over the limit), `.malformed` (bad chunked framing), `.internalError` (the body could
    /// not be stored), `.requestTimeout` (the body stalled) or `.clientClosedRequest` (the client went
    /// away). Let it propagate: the server renders it through the failure responder. After any of them the
    /// connection closes once the handler has answered. Reading happens on the connection's event loop;
    /// the caller resumes on its own executor.
    public func body() async throws(HTTPFailure) -> RequestBody {
        guard head.hasBody else { return .empty }
        if let result = bodyResult.withLock({ $0 }) { return try result.get() }
        let read = await bodySource.read()
        let result = bodyResult.withLock { stored in
            if stored == nil { stored = read }
            return stored!
        }
        return try result.get()
    }

    /// The whole body in memory (reads a spilled file; use only for bodies known to be small).
    public func bodyBytes() async throws(HTTPFailure) -> [UInt8] {
        try await body().allBytes()
    }

    /// The body once `body()` has returned it; nil before that (and after a failure). For synchronous code
    /// that runs after the handler awaited `body()`.
    public var receivedBody: RequestBody? {
        if !head.hasBody { return .empty }
        guard case .success(let body)? = bodyResult.withLock({ $0 }) else { return nil }
        return body
    }

    /// The handler is done: a spilled body nobody persisted is removed now rather than when the last
    /// reference goes away.
    func finished() {
        guard head.hasBody else { return }
        if case .success(.file(let file))? = bodyResult.withLock({ $0 }) { file.remove() }
    }

    public var method: String { head.method }
    public var headers: HTTPHeaders { head.headers }
    /// The raw (percent-encoded) path.
    public var path: String { head.rawPath }

    /// Query parameters, percent-decoded ('+' as space); the first value wins in `query(_:)`. Parsed once,
    /// when the request is made: a list reads several parameters and rewrites them into its links.
    public let queryItems: [(String, String)]

    public func query(_ name: String) -> String? {
        queryItems.first(where: { $0.0 == name })?.1
    }

    /// The media type of the body, lowercased, without parameters ("application/json").
    public var mediaType: String? {
        guard let ct = head.headers["Content-Type"] else { return nil }
        let base = ct.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ct
        return base.trimmingWhitespace().lowercased()
    }

    /// The response the server would give for `failure`, in the application's wire format (for handlers
    /// such as `StaticFiles` that answer a failure themselves rather than throwing it).
    public func failureResponse(_ failure: HTTPFailure) -> Response {
        failures.response(failure)
    }
}
