import Foundation
import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread running epoll over its share of the connections. It is also a `TaskExecutor`: handlers
/// start with `Task.immediate` on the loop thread and resume here after awaiting, so a request that does
/// not suspend never leaves the thread that read it.
/// Unchecked: everything but the remote queues (under `remoteLock`) and `wakePending` (atomic) is touched
/// by the loop's own thread only.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    let index: Int
    unowned let server: HTTPServer
    let routes: RouteTable
    let epfd: Int32
    private let wakeFd: Int32
    private var listenFds: [Int32] = []
    private var threadID = pthread_t()

    // Jobs enqueued from the loop thread itself need no lock.
    private var localJobs: [UnownedJob] = []
    private let remoteLock = NSLock()
    private var remoteJobs: [UnownedJob] = []
    private var remoteBlocks: [@Sendable () -> Void] = []
    private let wakePending = Atomic<Bool>(false)

    var connections: [Int32: Connection] = [:]
    /// Scratch space every read lands in first; only leftovers are copied into a connection.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var logBuffer: [UInt8] = []
    private(set) var now: Int64 = monotonicMillis()
    private var nextSweep: Int64 = 0
    private(set) var draining = false
    private var stopped = false
    let clock = WallClock()
    var random = FastRandom()
    private var idleOrder: Int64 = 0
    private var connectionSerial: UInt64 = 0

    func nextIdleOrder() -> Int64 {
        idleOrder += 1
        return idleOrder
    }

    init(index: Int, server: HTTPServer, routes: RouteTable) throws {
        self.index = index
        self.server = server
        self.routes = routes
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
        let thread = Thread { [self] in self.run() }
        thread.name = "tsuna-loop-\(index)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    var inLoop: Bool { pthread_equal(pthread_self(), threadID) != 0 }

    // MARK: executor

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if inLoop {
            localJobs.append(unowned)
        } else {
            remoteLock.withLock { remoteJobs.append(unowned) }
            wake()
        }
    }

    /// Runs `block` on the loop thread (now if already there).
    func execute(_ block: @escaping @Sendable () -> Void) {
        if inLoop { block(); return }
        remoteLock.withLock { remoteBlocks.append(block) }
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
        threadID = pthread_self()
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
            remoteLock.withLock {
                swap(&jobs, &remoteJobs)
                swap(&blocks, &remoteBlocks)
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

    private func acceptConnections(_ listenFd: Int32) {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenFd, $0, &len, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 { return }
            if draining { Glibc.close(fd); continue }
            if !server.reserveConnection() {
                // At the limit: make room by closing an idle keep-alive connection, else refuse.
                if let idle = connections.values.filter({ $0.isIdle }).min(by: { $0.idleSince < $1.idleSince }) {
                    idle.close()
                    _ = server.reserveConnection()
                } else {
                    refuse(fd)
                    continue
                }
            }
            Socket.setNoDelay(fd)
            connectionSerial += 1
            let conn = Connection(fd: fd, serial: connectionSerial, loop: self, remoteAddress: Socket.addressString(storage))
            connections[fd] = conn
            register(fd, events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue)
        }
    }

    /// At the connection limit with nothing idle to close: a short 503 (with its request id, like every
    /// response), then close.
    private func refuse(_ fd: Int32) {
        let response = server.failures.response(.serviceUnavailable)
        clock.refresh()
        var bytes: [UInt8] = []
        ResponseHead.append(response, requestId: random.uuid(), date: clock.httpDate, keepAlive: false,
                            versionMinor: 1, to: &bytes)
        if case .bytes(let body) = response.body { bytes.append(contentsOf: body) }
        bytes.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Glibc.close(fd)
    }

    /// A handler's response, back on the loop thread: to its connection if that is still the same one.
    func deliver(_ response: Response, fd: Int32, serial: UInt64) {
        if let conn = connections[fd], conn.serial == serial { conn.respond(response) }
    }

    func removed(_ conn: Connection) {
        connections[conn.fd] = nil
        server.releaseConnection()
    }

    private func sweep() {
        for conn in Array(connections.values) { conn.checkDeadline(now: now) }
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

    func log(_ line: String) {
        logBuffer.append(contentsOf: line.utf8)
        if logBuffer.count > 32 * 1024 { flushLog() }
    }

    private func flushLog() {
        guard !logBuffer.isEmpty else { return }
        logBuffer.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = write(2, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        logBuffer.removeAll(keepingCapacity: true)
    }
}

/// xoshiro256** seeded from the system's random source: request ids need uniqueness, not secrecy.
struct FastRandom {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    init() {
        var g = SystemRandomNumberGenerator()
        s = (g.next(), g.next(), g.next(), g.next() | 1)
    }
    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }
    /// A version-4 UUID string.
    mutating func uuid() -> String {
        var a = next(), b = next()
        a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var pos = 0
        for (i, word) in [a, b].enumerated() {
            for nibble in 0..<16 {
                if pos == 8 || pos == 13 || pos == 18 || pos == 23 { pos += 1 }
                let shift = UInt64(60 - nibble * 4)
                out[pos] = hex[Int((word >> shift) & 0xF)]
                pos += 1
            }
            _ = i
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The `Date` header and log timestamps, formatted once per second.
final class WallClock {
    private var second: Int = -1
    private(set) var httpDate: [UInt8] = []
    private(set) var isoDate: String = ""

    func refresh() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        guard ts.tv_sec != second else { return }
        second = ts.tv_sec
        var t = ts.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
        httpDate = Array("Date: ".utf8) + buf[0..<n].map { UInt8(bitPattern: $0) } + [13, 10]
        let m = strftime(&buf, 64, "%Y-%m-%dT%H:%M:%SZ", &tmv)
        isoDate = String(decoding: buf[0..<m].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
