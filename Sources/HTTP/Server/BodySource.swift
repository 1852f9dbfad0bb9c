/// Where `Request.body()` reads a body from.
enum BodySource: Sendable {
    /// The socket connection that read the head (the body is read there, on its event loop).
    case connection(ConnectionBodyHandle)
    /// A body given whole, by `InProcessClient`.
    case buffered(BufferedBody)

    func read() async -> Result<RequestBody, HTTPFailure> {
        switch self {
        case .connection(let handle): return await handle.read()
        case .buffered(let body): return body.read()
        }
    }
}

/// Names one request of one connection, from any thread.
struct ConnectionBodyHandle: Sendable {
    let loop: EventLoop
    let fd: Int32
    /// The connection's serial: a later connection on the same descriptor is another one.
    let connection: UInt64
    /// The request's number on its connection: once it is answered, its body is gone.
    let request: UInt64

    func read() async -> Result<RequestBody, HTTPFailure> {
        await withCheckedContinuation { waiter in
            let (loop, fd, connection, request) = (loop, fd, connection, request)
            loop.execute {
                guard let conn = loop.connection(fd: fd, serial: connection) else {
                    return waiter.resume(returning: .failure(.clientClosedRequest))
                }
                conn.readBody(for: request, then: waiter)
            }
        }
    }
}

/// A whole body handed over in memory, framed and limited exactly as a connection frames and limits one.
struct BufferedBody: Sendable {
    let head: RequestHead
    let bytes: [UInt8]
    let limit: Int
    let memoryThreshold: Int
    let temporaryDirectory: String

    func read() -> Result<RequestBody, HTTPFailure> {
        do throws(HTTPFailure) {
            let assembler = try BodyAssembler(
                head: head, limit: limit,
                storage: .keep(memoryThreshold: memoryThreshold, temporaryDirectory: temporaryDirectory, budget: nil),
                log: { RequestPipeline.logError($0, requestId: nil) })
            var outcome: Result<(used: Int, done: Bool), HTTPFailure> = .success((0, false))
            bytes.withUnsafeBytes { all in
                do throws(HTTPFailure) { outcome = .success(try assembler.feed(all)) } catch { outcome = .failure(error) }
            }
            guard try outcome.get().done else {
                throw .malformed(status: 400, reason: "The body ends before its announced length.")
            }
            return .success(assembler.finish().body)
        } catch {
            return .failure(error)
        }
    }
}
