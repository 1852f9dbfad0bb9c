#if canImport(Glibc)
import Glibc
#endif

/// Request bodies: read when the handler asks, or dropped before answering when nobody did.
extension Connection {
    /// `Request.body()` for the current request (on the loop thread): starts reading the body, or joins
    /// the read under way, or answers at once with the body already read.
    func readBody(for request: UInt64, then waiter: CheckedContinuation<Result<RequestBody, HTTPFailure>, Never>) {
        guard request == requestSerial, let h = head, state == .handling || state == .body else {
            // The request was answered: its body is gone (read, dropped, or the connection moved on).
            return waiter.resume(returning: .failure(.internalError))
        }
        if let result = bodyResult { return waiter.resume(returning: result) }
        bodyWaiters.append(waiter)
        if state == .body { return }
        let configuration = loop.server.configuration
        do {
            incoming = try BodyAssembler(
                head: h, limit: route?.info.bodyLimit ?? 0,
                storage: .keep(memoryThreshold: configuration.bodyMemoryThreshold,
                               temporaryDirectory: configuration.temporaryDirectory, budget: loop.server.bodyMemory),
                log: { [requestId] in RequestPipeline.logError($0, requestId: requestId) })
        } catch {
            closeAfterResponse = true
            return finishBody(.failure(error))
        }
        if h.expectContinue && h.versionMinor >= 1 {
            Connection.continueLine.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        state = .body
        startBodyClock()
        resumeReading()
    }

    /// A body starts arriving: no progress for the I/O timeout, or too little over the rate window, ends it.
    private func startBodyClock() {
        let configuration = loop.server.configuration
        deadline = loop.now + loop.millis(configuration.ioTimeout)
        bodyRate = RateWindow(minimum: configuration.minimumBodyBytes, seconds: configuration.bodyRateWindow)
    }

    /// Once a second (the loop's sweep) while a body arrives: false when it comes too slowly.
    func bodyRateHolds() -> Bool {
        guard let incoming, bodyRate != nil else { return true }
        return bodyRate!.record(total: incoming.received)
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Answers `response` once the request's body is out of the way: there is none, the handler read it,
    /// or it is small enough to read and drop (up to `limit`; the connection stays usable). Otherwise the
    /// answer goes at once and the connection closes after it.
    func answer(_ response: Response, droppingUpTo limit: Int) {
        guard let h = head, h.hasBody, bodyResult == nil else {
            if case .failure? = bodyResult { closeAfterResponse = true }
            return respond(response)
        }
        // With Expect: 100-continue the client waits for our word before sending the body: it may never come.
        let awaited = h.expectContinue && h.versionMinor >= 1
        // "Already here" counts only bytes received, never what the client announced.
        let buffered = insideParseLoop ? bytesAfterHead : pending.count
        let tooLong = h.contentLength.map { $0 > limit && buffered < $0 } ?? false
        guard !awaited && !tooLong,
              let dropper = try? BodyAssembler(head: h, limit: max(limit, h.contentLength ?? 0), storage: .discard,
                                               log: { _ in }) else {
            closeAfterResponse = true
            return respond(response)
        }
        incoming = dropper
        heldResponse = response
        state = .draining
        startBodyClock()
        resumeReading()
    }

    /// Feeds body bytes (inside the parse loop); returns how many were used.
    func feedBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let incoming else { return 0 }
        do {
            let (used, done) = try incoming.feed(bytes)
            deadline = loop.now + loop.millis(loop.server.configuration.ioTimeout)
            if done { bodyComplete() }
            return used
        } catch {
            bodyFailed(error)
            return bytes.count
        }
    }

    private func bodyComplete() {
        guard let assembler = incoming else { return }
        incoming = nil
        bodyRate = nil
        if state == .draining {
            answerHeld()
        } else {
            state = .handling
            let (body, reserved) = assembler.finish()
            // Counted in the memory budget until the handler has answered.
            heldMemory += reserved
            finishBody(.success(body))
        }
    }

    /// The handler is done with its body: its memory leaves the budget.
    func releaseHeldMemory() {
        loop.server.bodyMemory.release(heldMemory)
        heldMemory = 0
    }

    /// Framing or storage failed: the handler learns why (a dropped body just ends the connection).
    private func bodyFailed(_ failure: HTTPFailure) {
        incoming?.discard()
        incoming = nil
        bodyRate = nil
        closeAfterResponse = true
        if state == .draining {
            answerHeld()
        } else {
            state = .handling
            finishBody(.failure(failure))
        }
    }

    private func answerHeld() {
        state = .handling
        let response = heldResponse
        heldResponse = nil
        if let response { respond(response) }
    }

    /// The handler answered while its body was being read: stop, and close after the answer.
    func abandonBody() {
        incoming?.discard()
        incoming = nil
        bodyRate = nil
        closeAfterResponse = true
        state = .handling
        finishBody(.failure(.internalError))
    }

    /// Settles the body: every `body()` call waiting and every later one gets `result`.
    func finishBody(_ result: Result<RequestBody, HTTPFailure>) {
        bodyResult = result
        let waiters = bodyWaiters
        bodyWaiters = []
        for waiter in waiters { waiter.resume(returning: result) }
    }
}
