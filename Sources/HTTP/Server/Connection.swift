import FoundationEssentials
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One client connection, confined to its event loop's thread. It reads a request head, routes it and
/// starts the handler at once; the body is read only when the handler asks for it (`Request.body()`).
/// Then it writes the response and starts over (keep-alive). Pipelined requests wait in the buffer and
/// are answered in order. Reading the body: Connection+Body.swift; writing: Connection+Response.swift.
final class Connection {
    enum State {
        /// Reading a request head, or waiting for one.
        case head
        /// A handler runs; the socket is not read unless the handler asks for the body.
        case handling
        /// Reading the body the handler asked for.
        case body
        /// Reading and dropping a body nobody read, before answering (so the connection stays usable).
        case draining
        case writing
        /// After the last response: dropping what the client still sends, then closing.
        case lingering
        case closed
    }

    let fd: Int32
    /// Tells this connection apart from a later one on the same descriptor.
    let serial: UInt64
    unowned let loop: EventLoop
    let remoteAddress: String
    /// The peer is a trusted proxy: each request names its client in `X-Forwarded-For`.
    let peerIsTrustedProxy: Bool
    /// The address this connection counts against `maxConnectionsPerAddress` (nil: none yet).
    var countedAddress: String?
    var state: State = .head

    /// Bytes received but not yet consumed (a partial head, body bytes, or pipelined requests).
    var pending: [UInt8] = []
    var scannedUpTo = 0
    /// The socket may hold unread bytes (it was not read while a handler ran).
    var mayHaveData = false
    var receivingHead = false
    var deadline: Int64
    /// A parse loop is running over a buffer: state changes must not start another one.
    var insideParseLoop = false
    /// Bytes after the head in the buffer being parsed when the head completed.
    var bytesAfterHead = 0
    var closeAfterResponse = false
    /// Order in which connections last became idle (accepted or finished a response): at the connection limit
    /// the longest idle goes first (see `EventLoop.becameIdle`).
    var idleSince: Int64
    /// Counted in the loop's `idleConnections`.
    var countedIdle = false

    // The request being handled.
    var head: RequestHead?
    var route: RouteEntry?
    /// Numbers the requests of this connection: a late `body()` call must not read the next one's bytes.
    var requestSerial: UInt64 = 0
    var headDoneAt: Int64 = 0
    /// The same instant on the precise clock, for the latency histograms (the loop clock ticks in 4 ms steps).
    var headDoneNanos: UInt64 = 0
    var requestId = ""
    /// The body being read, for the handler or to drop it.
    var incoming: BodyAssembler?
    /// The body as the handler got it, once read (or why it could not be).
    var bodyResult: Result<RequestBody, HTTPFailure>?
    var bodyWaiters: [CheckedContinuation<Result<RequestBody, HTTPFailure>, Never>] = []
    /// The answer waiting for a dropped body to be read.
    var heldResponse: Response?
    /// How fast the body being read arrives.
    var bodyRate: RateWindow?
    /// Bytes of the body handed to the handler that count in the memory budget.
    var heldMemory = 0
    /// The current request's client address.
    var clientAddress = ""

    // The response being written.
    var out: [UInt8] = []
    var outOffset = 0
    var outFile: FileRegion?
    var fileSent = 0

    init(fd: Int32, serial: UInt64, loop: EventLoop, remoteAddress: String, peerIsTrustedProxy: Bool,
         countedAddress: String?) {
        self.fd = fd
        self.serial = serial
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.peerIsTrustedProxy = peerIsTrustedProxy
        self.countedAddress = countedAddress
        clientAddress = remoteAddress
        deadline = loop.now + loop.millis(loop.server.configuration.headerTimeout)
        idleSince = loop.becameIdle()
        countIdle(true)
    }

    /// Waiting for a next request with nothing received yet.
    var isIdle: Bool { state == .head && !receivingHead && pending.isEmpty }

    /// Keeps the loop's count of idle connections exact (other loops read it at the connection limit).
    func countIdle(_ idle: Bool) {
        guard idle != countedIdle else { return }
        countedIdle = idle
        if idle {
            loop.idleConnections.wrappingAdd(1, ordering: .relaxed)
        } else {
            loop.idleConnections.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    /// Whether the socket is read in the current state.
    var isReading: Bool {
        switch state {
        case .head, .body, .draining, .lingering: return true
        case .handling, .writing, .closed: return false
        }
    }

    // MARK: events

    func handle(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && state != .lingering {
            close(); return
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            if isReading { readAvailable() } else { mayHaveData = true }
        }
        if events & EPOLLOUT.rawValue != 0 && state == .writing {
            flushOutput()
        }
    }

    func readAvailable() {
        mayHaveData = false
        let buffer = loop.readBuffer
        while isReading {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 {
                if state == .lingering { continue }
                consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                if n < buffer.count { return }
                if !isReading { mayHaveData = true; return }
            } else if n == 0 {
                close(); return
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { close() }
                return
            }
        }
    }

    /// Goes on reading after a state change made outside a parse loop (inside one, the loop goes on
    /// with the bytes it holds).
    func resumeReading() {
        guard !insideParseLoop else { return }
        if !pending.isEmpty && isReading && state != .lingering { processPending() }
        if isReading && mayHaveData { readAvailable() }
    }

    /// Feeds freshly read bytes through the request state machine.
    private func consume(_ bytes: UnsafeRawBufferPointer) {
        if pending.isEmpty {
            let used = process(bytes)
            if state != .closed && state != .lingering && used < bytes.count {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            }
        } else {
            pending.append(contentsOf: bytes)
            processPending()
        }
    }

    private func processPending() {
        // Parse our own reference: the state machine may reset `pending` meanwhile (linger).
        var buffer = pending
        pending = []
        let used = buffer.withUnsafeBytes { process($0) }
        if state == .closed || state == .lingering { return }
        if used > 0 { scannedUpTo = 0 }
        if used >= buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
        } else if used > 0 {
            buffer.removeFirst(used)
        }
        pending = buffer
    }

    /// Parses as much of `buffer` as the current state allows; returns the bytes consumed.
    private func process(_ buffer: UnsafeRawBufferPointer) -> Int {
        insideParseLoop = true
        defer { insideParseLoop = false }
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            switch state {
            case .head:
                if !receivingHead {
                    receivingHead = true
                    countIdle(false)
                    scannedUpTo = 0
                    deadline = loop.now + loop.millis(loop.server.configuration.headerTimeout)
                }
                switch loop.server.parser.parse(rest, scannedUpTo: &scannedUpTo) {
                case .incomplete:
                    return offset
                case .failure(let error):
                    fail(error.failure(bodyLimit: 0))
                    return buffer.count
                case .complete(let h, let length):
                    offset += length
                    scannedUpTo = 0
                    bytesAfterHead = buffer.count - offset
                    begin(h)
                }
            case .body, .draining:
                offset += feedBody(rest)
            default:
                return offset
            }
        }
        return offset
    }

    // MARK: request

    private func begin(_ h: RequestHead) {
        receivingHead = false
        headDoneAt = loop.now
        headDoneNanos = monotonicNanos()
        head = h
        requestSerial &+= 1
        requestId = loop.pipeline.requestId(for: h, random: &loop.random)
        state = .handling
        if peerIsTrustedProxy && !countClient(of: h) { return }
        switch loop.pipeline.route(h) {
        case .failure(let failure):
            answer(loop.pipeline.failures.response(failure), droppingUpTo: RequestPipeline.unroutedDrainLimit)
        case .handler(let entry, let parameters):
            route = entry
            dispatch(entry, parameters)
        }
    }

    /// Behind a trusted proxy the client changes with each request: it is counted against the per-address
    /// cap from now on. False (and answered 503) when that client already has its share of connections.
    private func countClient(of h: RequestHead) -> Bool {
        clientAddress = loop.pipeline.clientAddress(peer: remoteAddress, head: h)
        guard clientAddress != countedAddress else { return true }
        let addresses = loop.server.addresses
        if let counted = countedAddress { addresses.release(counted) }
        countedAddress = nil
        guard addresses.acquire(clientAddress) else {
            fail(.serviceUnavailable)
            return false
        }
        countedAddress = clientAddress
        return true
    }

    /// Starts the handler as a task that prefers this loop: one that does not suspend runs to its end
    /// right here; its answer comes back through `handlerFinished`.
    private func dispatch(_ entry: RouteEntry, _ parameters: [String: String]) {
        guard let h = head else { return }
        let pipeline = loop.pipeline
        let handle = ConnectionBodyHandle(loop: loop, fd: fd, connection: serial, request: requestSerial)
        let request = Request(head: h, parameters: parameters, routePattern: entry.info.pattern,
                              remoteAddress: remoteAddress, clientAddress: clientAddress, requestId: requestId,
                              startedAt: headDoneAt,
                              body: .connection(handle), failures: pipeline.failures)
        let handler = entry.handler
        Task.immediate(executorPreference: loop) {
            let response = await pipeline.respond(to: request, with: handler)
            let loop = handle.loop
            if loop.inLoop {
                loop.connection(fd: handle.fd, serial: handle.connection)?.handlerFinished(response, request: handle.request)
            } else {
                loop.execute {
                    loop.connection(fd: handle.fd, serial: handle.connection)?.handlerFinished(response, request: handle.request)
                }
            }
        }
    }

    /// The handler answered (on the loop thread).
    func handlerFinished(_ response: Response, request: UInt64) {
        guard request == requestSerial, state == .handling || state == .body else { return }
        releaseHeldMemory()
        if state == .body {
            // It answered while its body was still arriving: that body is abandoned with the connection.
            abandonBody()
        }
        answer(response, droppingUpTo: RequestPipeline.unreadBodyDrainLimit)
    }

    /// A request head that cannot be parsed: answer, then close.
    private func fail(_ failure: HTTPFailure) {
        closeAfterResponse = true
        if head == nil { requestId = loop.random.uuid() }
        state = .handling
        respond(loop.pipeline.failures.response(failure))
    }

    // MARK: lifecycle

    func checkDeadline(now: Int64) {
        guard state != .handling && state != .closed else { return }
        if now >= deadline || ((state == .body || state == .draining) && !bodyRateHolds()) {
            close(failingBodyWith: .requestTimeout)
        }
    }

    /// Shutdown: idle connections close now; busy ones close after their response.
    func drain() {
        if isIdle { close() } else { closeAfterResponse = true }
    }

    /// Closes the socket; a handler waiting for the body gets `failure`.
    func close(failingBodyWith failure: HTTPFailure = .clientClosedRequest) {
        guard state != .closed else { return }
        state = .closed
        countIdle(false)
        incoming?.discard()
        incoming = nil
        releaseHeldMemory()
        if let counted = countedAddress { loop.server.addresses.release(counted) }
        countedAddress = nil
        if !bodyWaiters.isEmpty { finishBody(.failure(failure)) }
        outFile = nil
        epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, nil)
        Glibc.close(fd)
        loop.removed(self)
    }
}
