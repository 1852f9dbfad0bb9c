import Platform
import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP/1.1 server: listening sockets shared by one event loop per core.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    public let router: Router
    /// Optional request metrics (route, status, latency), read by a /metrics endpoint.
    public let metrics: HTTPMetrics?
    let parser: RequestHeadParser
    let failures: FailureRenderer
    /// Request bodies held in memory, across loops.
    let bodyMemory: MemoryBudget
    /// Open connections per client address, across loops.
    let addresses: AddressCounts
    private struct Running {
        var loops: [EventLoop] = []
        var listenFds: [Int32] = []
        var port = 0
        var shutdownHooks: [@Sendable () async -> Void] = []
    }
    private let running = Locked(Running())
    private let openConnections = Atomic<Int>(0)
    private let shutdownStarted = Atomic<Bool>(false)

    public init(configuration: ServerConfiguration, router: Router, metrics: HTTPMetrics? = nil) {
        self.configuration = configuration
        self.router = router
        self.metrics = metrics
        self.parser = RequestHeadParser(maxHeadBytes: configuration.maxHeadBytes)
        self.failures = FailureRenderer(responder: configuration.failureResponder)
        self.bodyMemory = MemoryBudget(limit: configuration.bodyMemoryBudget)
        self.addresses = AddressCounts(limit: configuration.maxConnectionsPerAddress)
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { running.withLock { $0.port } }

    /// Binds every host and starts the loops. Returns once the server accepts connections. `beforeServing`
    /// runs after binding (the port is known) and before the first connection is accepted.
    public func start(beforeServing: (Int) -> Void = { _ in }) throws {
        signal(SIGPIPE, SIG_IGN)
        TerminationSignal.install()
        var port = configuration.port
        var listenFds: [Int32] = []
        for host in configuration.hosts {
            let (fd, bound) = try Socket.listen(host: host, port: port)
            listenFds.append(fd)
            port = bound
        }
        running.withLock { [port, listenFds] in
            $0.port = port
            $0.listenFds = listenFds
        }
        beforeServing(port)
        // Routes are final now: every loop matches against the same frozen table.
        metrics?.bind(routes: router.routes)
        let pipeline = RequestPipeline(routes: router.table, failures: failures, configuration: configuration,
                                       metrics: metrics)
        var loops: [EventLoop] = []
        for i in 0..<configuration.loopCount {
            let loop = try EventLoop(index: i, server: self, pipeline: pipeline)
            for fd in listenFds { loop.addListener(fd) }
            loops.append(loop)
        }
        running.withLock { [loops] in $0.loops = loops }
        for loop in loops { loop.start() }
    }

    /// Registers work to run after the server stopped serving (flushing caches, closing the store).
    /// Hooks run in registration order.
    public func onShutdown(_ hook: @escaping @Sendable () async -> Void) {
        running.withLock { $0.shutdownHooks.append(hook) }
    }

    /// Graceful stop: stop accepting, let in-flight requests finish (bounded by the grace period), close
    /// the rest, then run the shutdown hooks. Safe to call more than once; later calls return at once.
    public func shutdown() async {
        guard !shutdownStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let loops = running.withLock { $0.loops }
        for loop in loops { loop.beginDrain() }
        let deadline = Date().addingTimeInterval(configuration.shutdownGracePeriod)
        while openConnections.load(ordering: .acquiring) > 0 && Date() < deadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        for loop in loops { loop.stop() }
        let (listenFds, hooks) = running.withLock { running in
            defer { running.listenFds = [] }
            return (running.listenFds, running.shutdownHooks)
        }
        for fd in listenFds { close(fd) }
        for hook in hooks { await hook() }
    }

    /// Suspends until SIGTERM or SIGINT arrives (at any time since `start`), then shuts down gracefully.
    public func runUntilTerminated() async {
        await TerminationSignal.wait()
        logLine("shutting down: finishing in-flight requests")
        await shutdown()
    }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Connections open now (for /metrics).
    public var openConnectionCount: Int { connectionCount }

    func reserveConnection() -> Bool {
        let now = openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if now > configuration.maxConnections {
            openConnections.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Counts a connection let in at the limit while another is being closed to make room.
    func addConnection() { openConnections.wrappingAdd(1, ordering: .relaxed) }

    func releaseConnection() { openConnections.wrappingSubtract(1, ordering: .relaxed) }

    /// Every event loop (set once at start).
    var loops: [EventLoop] { running.withLock { $0.loops } }
}
