import Foundation
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
    private struct Running {
        var loops: [EventLoop] = []
        var listenFds: [Int32] = []
        var port = 0
        var shutdownHooks: [@Sendable () async -> Void] = []
    }
    private let running = Mutex(Running())
    private let openConnections = Atomic<Int>(0)
    private let shutdownStarted = Atomic<Bool>(false)

    public init(configuration: ServerConfiguration, router: Router, metrics: HTTPMetrics? = nil) {
        self.configuration = configuration
        self.router = router
        self.metrics = metrics
        self.parser = RequestHeadParser(maxHeadBytes: configuration.maxHeadBytes)
        self.failures = FailureRenderer(responder: configuration.failureResponder)
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { running.withLock { $0.port } }

    /// Binds every host and starts the loops. Returns once the server accepts connections. `beforeServing`
    /// runs after binding (the port is known) and before the first connection is accepted.
    public func start(beforeServing: (Int) -> Void = { _ in }) throws {
        signal(SIGPIPE, SIG_IGN)
        try TerminationSignals.install()
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
        let routes = router.table
        var loops: [EventLoop] = []
        for i in 0..<configuration.loopCount {
            let loop = try EventLoop(index: i, server: self, routes: routes)
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

    /// Suspends until SIGTERM or SIGINT arrives (one received since `start` counts too), then shuts down
    /// gracefully.
    public func runUntilTerminated() async {
        await TerminationSignals.wait()
        logLine("shutting down: finishing in-flight requests")
        await shutdown()
    }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    func reserveConnection() -> Bool {
        let now = openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if now > configuration.maxConnections {
            openConnections.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnection() { openConnections.wrappingSubtract(1, ordering: .relaxed) }

    /// Echo a sane client `X-Request-Id`, else make a new UUID.
    func requestId(for head: RequestHead, random: inout FastRandom) -> String {
        if let sent = head.headers["X-Request-Id"], HTTPServer.isSaneRequestId(sent) { return sent }
        return random.uuid()
    }

    static func isSaneRequestId(_ s: String) -> Bool {
        let u = s.utf8
        guard !u.isEmpty && u.count <= 128 else { return false }
        for c in u {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    func logError(_ message: String, requestId: String) {
        logLine("error request_id=\(requestId) \(message)")
    }
}

/// One line to stderr, written with a single write(2) so lines from threads do not interleave.
public func logLine(_ message: String) {
    var clock = timespec()
    clock_gettime(CLOCK_REALTIME, &clock)
    var t = clock.tv_sec
    var tmv = tm()
    gmtime_r(&t, &tmv)
    var buf = [CChar](repeating: 0, count: 32)
    let n = strftime(&buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
    let stamp = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let line = Array("\(stamp) \(message)\n".utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// SIGTERM and SIGINT, caught from `start()` on: the handler writes a byte to a pipe (all a signal handler may
/// safely do) and `wait()` reads it on a thread of its own. A signal that arrives before anyone waits stays in
/// the pipe, so none is lost between binding and waiting.
enum TerminationSignals {
    /// The pipe's ends, written once by `install()` before the handlers exist, then only read.
    nonisolated(unsafe) private static var pipeEnds: (read: Int32, write: Int32) = (-1, -1)

    static func install() throws {
        guard pipeEnds.read < 0 else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SocketError(call: "pipe", code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The writer never blocks a signal handler: a full pipe already says "terminate".
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        pipeEnds = (fds[0], fds[1])
        for s in [SIGTERM, SIGINT] {
            signal(s) { _ in
                var byte: UInt8 = 1
                _ = write(TerminationSignals.pipeEnds.write, &byte, 1)
            }
        }
    }

    /// Returns once a termination signal has arrived.
    static func wait() async {
        let fd = pipeEnds.read
        guard fd >= 0 else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while poll(&poller, 1, -1) < 0 && errno == EINTR {}
                continuation.resume()
            }
        }
    }
}
