import CLinux
import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread running epoll over its share of the connections. It is also a `TaskExecutor`: handlers
/// start with `Task.immediate` on the loop thread and resume here after awaiting, so a request that does
/// not suspend never leaves the thread that read it.
/// Unchecked: everything but the remote queues (under `remote`'s lock) and `wakePending` (atomic) is touched
/// by the loop's own thread only.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    let index: Int
    unowned let server: HTTPServer
    let pipeline: RequestPipeline
    let epfd: Int32
    private let wakeFd: Int32
    private var listenFds: [Int32] = []
    /// The loop thread's id (0 until it runs): set by that thread, read by any, so atomic. Relaxed is enough:
    /// no thread can mistake itself for the loop thread whatever value it reads.
    private let threadID = Atomic<UInt>(0)

    // Jobs enqueued from the loop thread itself need no lock.
    private var localJobs: [UnownedJob] = []
    /// Jobs and blocks enqueued from other threads.
    private struct Remote {
        var jobs: [UnownedJob] = []
        var blocks: [@Sendable () -> Void] = []
    }
    private let remote = Locked(Remote())
    private let wakePending = Atomic<Bool>(false)

    var connections: [Int32: Connection] = [:]
    /// Scratch space every read lands in first; only leftovers are copied into a connection.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Access-log lines not yet written; connections append to it (`RequestPipeline.record`), then call `logged()`.
    var logBuffer: [UInt8] = []
    private(set) var now: Int64 = monotonicMillis()
    private var nextSweep: Int64 = 0
    private(set) var draining = false
    private var stopped = false
    let clock = WallClock()
    var random = FastRandom()
    var idleOrder: Int64 = 0
    var connectionSerial: UInt64 = 0
    /// The idle order of this loop's longest-idle connection (Int64.max: none), for other loops at the
    /// connection limit. Exact after each sweep; between sweeps it may name one that has since woken.
    let idleFloor = Atomic<Int64>(.max)
    /// Idle connections of this loop now (exact).
    let idleConnections = Atomic<Int>(0)

    /// `seconds` of configuration as milliseconds of `now`.
    @inline(__always) func millis(_ seconds: Double) -> Int64 { Int64(seconds * 1000) }

    init(index: Int, server: HTTPServer, pipeline: RequestPipeline) throws {
        self.index = index
        self.server = server
        self.pipeline = pipeline
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw SocketError(call: "epoll_create1", code: errno) }
        wakeFd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFd >= 0 else { throw SocketError(call: "eventfd", code: errno) }
        register(wakeFd, events: EPOLLIN.rawValue)
    }

    deinit {
        readBuffer.deallocate()
        close(epfd)
        close(wakeFd)
    }

    func addListener(_ fd: Int32) {
        listenFds.append(fd)
        // EPOLLEXCLUSIVE: a new connection wakes one loop, not all of them.
        register(fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
    }

    func register(_ fd: Int32, events: UInt32) {
        var ev = epoll_event()
        ev.events = events
        ev.data.fd = fd
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
    }

    func start() {
        OSThread.start(name: "tsuna-loop-\(index)", stackSize: 1 << 20) { [self] in self.run() }
    }

    var inLoop: Bool { pthread_self() == threadID.load(ordering: .relaxed) }

    // MARK: executor

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if inLoop {
            localJobs.append(unowned)
        } else {
            remote.withLock { $0.jobs.append(unowned) }
            wake()
        }
    }

    /// Runs `block` on the loop thread (now if already there).
    func execute(_ block: @escaping @Sendable () -> Void) {
        if inLoop { block(); return }
        remote.withLock { $0.blocks.append(block) }
        wake()
    }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFd, &one, 8)
        }
    }

    // MARK: loop

    private func run() {
        threadID.store(pthread_self(), ordering: .relaxed)
        let maxEvents = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maxEvents)
        defer { events.deallocate() }
        while !stopped {
            let timeout: Int32 = localJobs.isEmpty ? 1000 : 0
            let n = epoll_wait(epfd, events, Int32(maxEvents), timeout)
            now = monotonicMillis()
            if n > 0 {
                for i in 0..<Int(n) {
                    let ev = events[i]
                    let fd = ev.data.fd
                    if fd == wakeFd {
                        var value: UInt64 = 0
                        _ = read(wakeFd, &value, 8)
                        wakePending.store(false, ordering: .releasing)
                    } else if let conn = connections[fd] {
                        conn.handle(events: ev.events)
                    } else if listenFds.contains(fd) {
                        acceptConnections(fd)
                    }
                }
            }
            runPending()
            flushLog()
            if now >= nextSweep {
                nextSweep = now + 1000
                sweep()
            }
        }
        for conn in Array(connections.values) { conn.close() }
        runPending()
        flushLog()
    }

    private func runPending() {
        while true {
            var jobs: [UnownedJob] = []
            var blocks: [@Sendable () -> Void] = []
            remote.withLock { remote in
                swap(&jobs, &remote.jobs)
                swap(&blocks, &remote.blocks)
            }
            if localJobs.isEmpty && jobs.isEmpty && blocks.isEmpty { return }
            for block in blocks { block() }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            while !localJobs.isEmpty {
                let batch = localJobs
                localJobs.removeAll(keepingCapacity: true)
                for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            }
        }
    }

    /// The connection on `fd` if it is still the one numbered `serial` (on the loop thread).
    func connection(fd: Int32, serial: UInt64) -> Connection? {
        guard let conn = connections[fd], conn.serial == serial else { return nil }
        return conn
    }

    func removed(_ conn: Connection) {
        connections[conn.fd] = nil
        server.releaseConnection()
    }

    private func sweep() {
        for conn in Array(connections.values) { conn.checkDeadline(now: now) }
        refreshIdleFloor()
    }

    // MARK: shutdown

    func beginDrain() {
        execute { [self] in
            draining = true
            for fd in listenFds { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil) }
            for conn in Array(connections.values) { conn.drain() }
        }
    }

    func stop() { execute { [self] in stopped = true } }

    // MARK: access log

    func logged() {
        if logBuffer.count > 32 * 1024 { flushLog() }
    }

    /// Writes the buffered lines in whole-line writes of at most PIPE_BUF bytes (a longer line alone):
    /// a pipe keeps each write in one piece, so lines from other threads never cut into ours.
    private func flushLog() {
        guard !logBuffer.isEmpty else { return }
        logBuffer.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                // The usual case, everything buffered fits one write: no scan for the line ends.
                var end = all.count - start <= 4096 ? all.count : start
                while end < all.count {
                    guard let hit = memchr(all.baseAddress! + end, 10, all.count - end) else { end = all.count; break }
                    let newline = UnsafeRawPointer(hit) - all.baseAddress!
                    if newline + 1 - start > 4096 && end > start { break }
                    end = newline + 1
                }
                var offset = start
                while offset < end {
                    let n = write(2, all.baseAddress! + offset, end - offset)
                    if n <= 0 { return }
                    offset += n
                }
                start = end
            }
        }
        logBuffer.removeAll(keepingCapacity: true)
    }
}
