import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// How the server listens and how much it lets each client take.
public struct ServerConfiguration: Sendable {
    /// Addresses to listen on: IPv4 ("127.0.0.1", "0.0.0.0") or IPv6 ("::1", "::").
    public var hosts: [String]
    /// 0 picks an ephemeral port (the same one for every host).
    public var port: Int
    /// Event loops (threads); one per core by default.
    public var loopCount: Int
    /// Open connections at most. At the limit the longest-idle keep-alive connection (of any loop) is
    /// closed to make room; with none idle, a new connection is answered 503 and closed.
    public var maxConnections: Int
    /// Open connections at most per client address (see `trustedProxies`); beyond → 503 and close.
    public var maxConnectionsPerAddress: Int = 256
    /// Peers whose `X-Forwarded-For` is believed: for them the client address is the right-most entry
    /// that is not itself a trusted proxy. Others' `X-Forwarded-For` is ignored.
    public var trustedProxies = TrustedProxies()
    /// Request line plus headers; beyond → 431.
    public var maxHeadBytes: Int
    /// A connection must deliver a complete request head within this time of its first byte (or of being
    /// accepted): slow clients cannot hold a connection (slowloris).
    public var headerTimeout: Double
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeout: Double
    /// A request body or a response write that makes no progress for this long closes the connection.
    public var ioTimeout: Double
    /// A body being read closes its connection when fewer than `minimumBodyBytes` arrive over any
    /// `bodyRateWindow` seconds (a client dripping bytes cannot hold a connection). The default (32 KiB
    /// over 30 s, about 1 KiB/s) lets a phone on a slow link upload 100 MB, only slowly.
    public var minimumBodyBytes: Int = 32 * 1024
    public var bodyRateWindow: Double = 30
    /// Bodies larger than this are streamed to a temporary file instead of memory.
    public var bodyMemoryThreshold: Int
    /// Request bodies held in memory at once, across every connection; beyond, bodies go to temporary
    /// files even when small.
    public var bodyMemoryBudget: Int = 64 << 20
    /// Where spilled bodies go; must exist and be writable.
    public var temporaryDirectory: String
    /// How long shutdown waits for in-flight requests.
    public var shutdownGracePeriod: Double
    /// Write one access-log line per request to stderr.
    public var accessLog: Bool
    /// Rewrites the request target for the access log so that it holds no secret. The default replaces
    /// the values of `signature` query parameters with "…". (`Authorization` is never logged.)
    public var redactPath: @Sendable (String) -> String = AccessLog.redactSignatures
    /// Renders the answers the server gives on its own (404, 405, 413, 431, 400, 503, 500, …) in the
    /// application's wire format. The default answers in plain text.
    public var failureResponder: @Sendable (HTTPFailure) -> Response

    public init(hosts: [String] = ["127.0.0.1"], port: Int = 8000,
                loopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
                maxConnections: Int = 10_000, maxHeadBytes: Int = 16 * 1024,
                headerTimeout: Double = 10, idleTimeout: Double = 75, ioTimeout: Double = 30,
                bodyMemoryThreshold: Int = 1 << 20, temporaryDirectory: String = Paths.temporaryDirectory(),
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
