import Foundation

/// How the server listens and how much it lets each client take.
public struct ServerConfiguration: Sendable {
    /// Addresses to listen on: IPv4 ("127.0.0.1", "0.0.0.0") or IPv6 ("::1", "::").
    public var hosts: [String]
    /// 0 picks an ephemeral port (the same one for every host).
    public var port: Int
    /// Event loops (threads); one per core by default.
    public var loopCount: Int
    public var maxConnections: Int
    /// Request line plus headers; beyond → 431.
    public var maxHeadBytes: Int
    /// A connection must deliver a complete request head within this time of its first byte (or of being
    /// accepted): slow clients cannot hold a connection (slowloris).
    public var headerTimeout: Double
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeout: Double
    /// A request body or a response write that makes no progress for this long closes the connection.
    public var ioTimeout: Double
    /// Bodies larger than this are streamed to a temporary file instead of memory.
    public var bodyMemoryThreshold: Int
    /// Where spilled bodies go; must exist and be writable.
    public var temporaryDirectory: String
    /// How long shutdown waits for in-flight requests.
    public var shutdownGracePeriod: Double
    /// Write one access-log line per request to stderr.
    public var accessLog: Bool
    /// Renders the answers the server gives on its own (404, 405, 413, 431, 400, 503, 500, …) in the
    /// application's wire format. The default answers in plain text.
    public var failureResponder: @Sendable (HTTPFailure) -> Response

    public init(hosts: [String] = ["127.0.0.1"], port: Int = 8000,
                loopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
                maxConnections: Int = 10_000, maxHeadBytes: Int = 16 * 1024,
                headerTimeout: Double = 10, idleTimeout: Double = 75, ioTimeout: Double = 30,
                bodyMemoryThreshold: Int = 1 << 20, temporaryDirectory: String = NSTemporaryDirectory(),
                shutdownGracePeriod: Double = 10, accessLog: Bool = true,
                failureResponder: @escaping @Sendable (HTTPFailure) -> Response = HTTPFailure.plainTextResponder) {
        self.hosts = hosts
        self.port = port
        self.loopCount = max(1, loopCount)
        self.maxConnections = maxConnections
        self.maxHeadBytes = maxHeadBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.ioTimeout = ioTimeout
        self.bodyMemoryThreshold = bodyMemoryThreshold
        self.temporaryDirectory = temporaryDirectory
        self.shutdownGracePeriod = shutdownGracePeriod
        self.accessLog = accessLog
        self.failureResponder = failureResponder
    }
}
