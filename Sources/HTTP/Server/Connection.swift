import Foundation
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One client connection, confined to its event loop's thread. Reads a request head, then its body,
/// hands the request to its route's handler, writes the response, and starts over (keep-alive).
/// Pipelined requests wait in the buffer and are answered in order.
final class Connection {
    enum State { case head, body, handling, writing, lingering, closed }

    let fd: Int32
    /// Tells this connection apart from a later one on the same descriptor.
    let serial: UInt64
    unowned let loop: EventLoop
    let remoteAddress: String
    private(set) var state: State = .head

    /// Bytes received but not yet consumed (a partial head, or pipelined requests).
    private var pending: [UInt8] = []
    private var scannedUpTo = 0
    /// The socket may hold unread bytes (we stopped reading while a request was being handled).
    private var mayHaveData = false
    private var receivingHead = false
    private var deadline: Int64
    private var inProcess = false
    private var closeAfterResponse = false
    /// Order in which connections last became idle (accepted or finished a response): at the connection limit
    /// the longest idle goes first. A counter, not a clock, so ties cannot happen.
    private(set) var idleSince: Int64

    // The request being read or handled.
    private var head: RequestHead?
    private var route: RouteEntry?
    private var params: [String: String] = [:]
    private var headDoneAt: Int64 = 0
    private var requestId = ""
    private var bodyRemaining = 0
    private var chunked: ChunkedDecoder?
    private var bodyLimit = 0
    private var bodyBytes: [UInt8] = []
    private var bodyFile: Int32 = -1
    private var bodyFilePath = ""
    private var bodyLength = 0
    /// The spilled body handed to the current handler; removed once its response is written.
    private var handedOffFile: TemporaryFile?

    // The response being written.
    private var out: [UInt8] = []
    private var outOffset = 0
    private var outFile: FileRegion?
    private var fileSent = 0

    init(fd: Int32, serial: UInt64, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.serial = serial
        self.loop = loop
        self.remoteAddress = remoteAddress
        deadline = loop.now + Int64(loop.server.configuration.headerTimeout * 1000)
        idleSince = loop.nextIdleOrder()
    }

    /// Waiting for a next request with nothing received yet.
    var isIdle: Bool { state == .head && !receivingHead && pending.isEmpty }

    // MARK: events

    func handle(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && state != .lingering {
            close(); return
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            switch state {
            case .head, .body, .lingering: readAvailable()
            default: mayHaveData = true
            }
        }
        if events & EPOLLOUT.rawValue != 0 && state == .writing {
            flushOutput()
        }
    }

    private func readAvailable() {
        mayHaveData = false
        let buffer = loop.readBuffer
        while state == .head || state == .body || state == .lingering {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 {
                if state == .lingering { continue }
                consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                if n < buffer.count { return }
                if state == .handling || state == .writing { mayHaveData = true; return }
            } else if n == 0 {
                close(); return
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { close() }
                return
            }
        }
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
        let used = pending.withUnsafeBytes { process($0) }
        if state == .closed { return }
        if state == .lingering { pending = []; return }
        if used >= pending.count {
            pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
        } else if used > 0 {
            pending.removeFirst(used)
            scannedUpTo = 0
        }
    }

    /// Parses as much of `buffer` as the current state allows; returns the bytes consumed.
    private func process(_ buffer: UnsafeRawBufferPointer) -> Int {
        inProcess = true
        defer { inProcess = false }
        var offset = 0
        while offset < buffer.count {
            switch state {
            case .head:
                if !receivingHead {
                    receivingHead = true
                    scannedUpTo = 0
                    deadline = loop.now + Int64(loop.server.configuration.headerTimeout * 1000)
                }
                let slice = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                switch loop.server.parser.parse(slice, scannedUpTo: &scannedUpTo) {
                case .incomplete:
                    return offset
                case .failure(let error):
                    fail(error.failure(bodyLimit: bodyLimit))
                    return buffer.count
                case .complete(let h, let length):
                    offset += length
                    scannedUpTo = 0
                    begin(h)
                }
            case .body:
                let slice = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                offset += readBody(slice)
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
        head = h
        requestId = loop.server.requestId(for: h, random: &loop.random)
        let hasBody = h.isChunked || (h.contentLength ?? 0) > 0
        let failures = loop.server.failures
        switch loop.routes.match(method: h.method, rawPath: h.rawPath) {
        case .notFound:
            if answerWithoutRoute(failures.response(.notFound), hasBody: hasBody, head: h) { return }
        case .methodNotAllowed(let allow):
            let r = failures.response(.methodNotAllowed(method: h.method, allow: allow))
            if answerWithoutRoute(r, hasBody: hasBody, head: h) { return }
        case .found(let entry, let p):
            route = entry
            params = p
            bodyLimit = entry.info.bodyLimit
        }
        if let length = h.contentLength, length > bodyLimit {
            closeAfterResponse = true
            respondEarly(failures.response(.payloadTooLarge(limit: bodyLimit)))
            return
        }
        guard hasBody else { dispatch(); return }
        state = .body
        deadline = loop.now + Int64(loop.server.configuration.ioTimeout * 1000)
        bodyLength = 0
        if h.isChunked {
            chunked = ChunkedDecoder(maxBodyBytes: bodyLimit)
        } else {
            bodyRemaining = h.contentLength ?? 0
            if bodyRemaining > loop.server.configuration.bodyMemoryThreshold {
                guard openBodyFile() else { return }
            } else {
                bodyBytes.reserveCapacity(bodyRemaining)
            }
        }
        if h.expectContinue && h.versionMinor == 1 {
            queueRaw(Connection.continueLine)
        }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Unknown route or method: without a body, answer now (returns true). A small body (≤ 1 MiB) is read and
    /// dropped first so the connection stays usable; a larger one is not read and the connection closes.
    private func answerWithoutRoute(_ response: Response, hasBody: Bool, head h: RequestHead) -> Bool {
        let limit = 1 << 20
        if !hasBody { respondEarly(response); return true }
        if let length = h.contentLength, length > limit {
            closeAfterResponse = true
            respondEarly(response)
            return true
        }
        let info = RouteInfo(method: h.method, pattern: "", bodyLimit: limit, summary: "", tags: [])
        route = RouteEntry(info: info, handler: { _ in response })
        params = [:]
        bodyLimit = limit
        return false
    }

    /// Consumes body bytes; returns how many were used.
    private func readBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        deadline = loop.now + Int64(loop.server.configuration.ioTimeout * 1000)
        if var decoder = chunked {
            do {
                let (used, progress) = try decoder.feed(bytes) { piece in try appendBody(piece) }
                chunked = decoder
                if progress == .done { dispatch() }
                return used
            } catch let e as HTTPParseError {
                fail(e.failure(bodyLimit: bodyLimit))
                return bytes.count
            } catch {
                fail(.internalError)
                return bytes.count
            }
        }
        let take = min(bytes.count, bodyRemaining)
        do {
            try appendBody(UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
        } catch {
            fail(.internalError)
            return bytes.count
        }
        bodyRemaining -= take
        if bodyRemaining == 0 { dispatch() }
        return take
    }

    private struct BodyWriteError: Error {}

    private func appendBody(_ piece: UnsafeRawBufferPointer) throws {
        guard piece.count > 0 else { return }
        bodyLength += piece.count
        if bodyFile < 0 && bodyBytes.count + piece.count > loop.server.configuration.bodyMemoryThreshold {
            guard openBodyFile() else { throw BodyWriteError() }
            let spilled = bodyBytes
            bodyBytes = []
            try spilled.withUnsafeBytes { try writeBodyFile($0) }
        }
        if bodyFile >= 0 {
            try writeBodyFile(piece)
        } else {
            bodyBytes.append(contentsOf: piece)
        }
    }

    private func openBodyFile() -> Bool {
        let dir = loop.server.configuration.temporaryDirectory
        bodyFilePath = "\(dir)/tsuna-body-\(loop.random.uuid())"
        bodyFile = open(bodyFilePath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if bodyFile < 0 {
            loop.server.logError("cannot create \(bodyFilePath): \(String(cString: strerror(errno)))", requestId: requestId)
            fail(.internalError)
            return false
        }
        return true
    }

    private func writeBodyFile(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = write(bodyFile, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                loop.server.logError("writing request body: \(String(cString: strerror(errno)))", requestId: requestId)
                throw BodyWriteError()
            }
            off += n
        }
    }

    private func discardBodyFile() {
        if bodyFile >= 0 {
            Glibc.close(bodyFile)
            unlink(bodyFilePath)
            bodyFile = -1
        }
    }

    private func takeBody() -> RequestBody {
        if bodyFile >= 0 {
            Glibc.close(bodyFile)
            bodyFile = -1
            let file = TemporaryFile(path: bodyFilePath, length: bodyLength)
            handedOffFile = file
            return .file(file)
        }
        if bodyBytes.isEmpty { return .empty }
        let b = bodyBytes
        bodyBytes = []
        return .bytes(b)
    }

    /// The request is complete: run its handler.
    private func dispatch() {
        guard let h = head, let entry = route else { return }
        state = .handling
        chunked = nil
        let server = loop.server
        let request = Request(head: h, parameters: params, routePattern: entry.info.pattern, body: takeBody(),
                              remoteAddress: remoteAddress, requestId: requestId, startedAt: headDoneAt,
                              failures: server.failures)
        let handler = entry.handler
        let loop = self.loop, fd = self.fd, serial = self.serial
        Task.immediate(executorPreference: loop) {
            let response: Response
            do {
                response = try await handler(request)
            } catch let e as HTTPErrorResponse {
                response = e.response
            } catch let failure as HTTPFailure {
                response = server.failures.response(failure)
            } catch {
                server.logError("\(request.method) \(request.path): \(error)", requestId: request.requestId)
                response = server.failures.response(.internalError)
            }
            loop.execute { loop.deliver(response, fd: fd, serial: serial) }
        }
    }

    /// A response decided before any handler ran (404, 405, 413).
    private func respondEarly(_ response: Response) {
        state = .handling
        respond(response)
    }

    /// A parse or body error: answer it, then close.
    private func fail(_ failure: HTTPFailure) {
        discardBodyFile()
        bodyBytes = []
        closeAfterResponse = true
        if head == nil { requestId = loop.random.uuid() }
        state = .handling
        respond(loop.server.failures.response(failure))
    }

    // MARK: response

    func respond(_ response: Response) {
        guard state == .handling else { return }
        // The handler is done with a spilled body: remove it before the client can see the answer.
        handedOffFile?.remove()
        handedOffFile = nil
        let h = head
        let keepAlive = (h?.keepAlive ?? false) && !closeAfterResponse && !loop.draining
        closeAfterResponse = !keepAlive
        let server = loop.server
        let isHead = h?.method == "HEAD"
        let noBody = !ResponseHead.hasBody(response.status)

        loop.clock.refresh()
        out.reserveCapacity(256 + (isHead ? 0 : response.body.count))
        ResponseHead.append(response, requestId: requestId, date: loop.clock.httpDate, keepAlive: keepAlive,
                            versionMinor: h?.versionMinor ?? 1, to: &out)
        if !isHead && !noBody {
            switch response.body {
            case .bytes(let b): out.append(contentsOf: b)
            case .file(let region): outFile = region; fileSent = 0
            case .empty: break
            }
        }
        if server.configuration.accessLog {
            let elapsed = loop.now - headDoneAt
            let method = h?.method ?? "-"
            let path = h?.target ?? "-"
            loop.log("\(loop.clock.isoDate) \(method) \(path) \(response.status) \(elapsed)ms \(requestId)\n")
        }
        server.metrics?.record(route: route?.info.pattern ?? "", method: h?.method ?? "-", status: response.status,
                               millis: loop.now - headDoneAt)
        state = .writing
        deadline = loop.now + Int64(server.configuration.ioTimeout * 1000)
        flushOutput()
    }

    private func queueRaw(_ bytes: [UInt8]) {
        // Only used for "100 Continue" while reading a body: written straight away, best effort.
        bytes.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func flushOutput() {
        while outOffset < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + outOffset, $0.count - outOffset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                close(); return
            }
            outOffset += n
        }
        if let region = outFile {
            while fileSent < region.length {
                var offset = off_t(region.offset + fileSent)
                let n = sendfile(fd, region.fd, &offset, region.length - fileSent)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK { return }
                    close(); return
                }
                if n == 0 { close(); return }  // the file shrank under us
                fileSent += n
            }
        }
        finishResponse()
    }

    private func finishResponse() {
        out.removeAll(keepingCapacity: out.capacity <= 16 * 1024)
        outOffset = 0
        outFile = nil
        head = nil
        route = nil
        params = [:]
        if closeAfterResponse {
            linger()
            return
        }
        state = .head
        receivingHead = false
        idleSince = loop.nextIdleOrder()
        deadline = loop.now + Int64(loop.server.configuration.idleTimeout * 1000)
        if inProcess { return }  // the caller's parse loop continues with the buffered bytes
        if !pending.isEmpty { processPending() }
        if (state == .head || state == .body) && mayHaveData { readAvailable() }
    }

    /// Half-close and drain what the client still sends, so our last response is not lost to a reset.
    private func linger() {
        state = .lingering
        pending = []
        shutdown(fd, Int32(SHUT_WR))
        deadline = loop.now + 2000
        // Inside the parse loop the read buffer is still in use; the caller's read loop drains later.
        if !inProcess { readAvailable() }
    }

    // MARK: lifecycle

    func checkDeadline(now: Int64) {
        guard state != .handling && state != .closed else { return }
        if now >= deadline { close() }
    }

    /// Shutdown: idle connections close now; busy ones close after their response.
    func drain() {
        if isIdle { close() } else { closeAfterResponse = true }
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        discardBodyFile()
        outFile = nil
        epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, nil)
        Glibc.close(fd)
        loop.removed(self)
    }
}
