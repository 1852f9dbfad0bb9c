import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Writing responses: head and bytes from a buffer, file bodies with sendfile, then keep-alive or close.
extension Connection {
    func respond(_ response: Response) {
        guard state == .handling else { return }
        let h = head
        let keepAlive = (h?.keepAlive ?? false) && !closeAfterResponse && !loop.draining
        closeAfterResponse = !keepAlive
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
        loop.pipeline.record(response, head: h, route: route, millis: loop.now - headDoneAt,
                             nanos: monotonicNanos() &- headDoneNanos, shard: loop.index, requestId: requestId,
                             client: clientAddress, timestamp: loop.clock.isoDate, log: &loop.logBuffer)
        loop.logged()
        state = .writing
        deadline = loop.now + loop.millis(loop.server.configuration.ioTimeout)
        flushOutput()
    }

    /// Writes what the socket accepts. The I/O timeout measures a lack of progress: every write that
    /// moves bytes restarts it, so a slow but steady reader of any size is served to the end.
    func flushOutput() {
        let before = outOffset + fileSent
        defer {
            if state == .writing && outOffset + fileSent > before {
                deadline = loop.now + loop.millis(loop.server.configuration.ioTimeout)
            }
        }
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
        bodyResult = nil
        if closeAfterResponse {
            linger()
            return
        }
        state = .head
        receivingHead = false
        idleSince = loop.becameIdle()
        countIdle(true)
        deadline = loop.now + loop.millis(loop.server.configuration.idleTimeout)
        resumeReading()
    }

    /// Half-close and drain what the client still sends, so our last response is not lost to a reset.
    private func linger() {
        state = .lingering
        pending = []
        shutdown(fd, Int32(SHUT_WR))
        deadline = loop.now + 2000
        // Inside the parse loop the read buffer is still in use; the caller's read loop drains later.
        if !insideParseLoop { readAvailable() }
    }
}
