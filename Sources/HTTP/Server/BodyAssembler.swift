import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One request body as it comes off the wire: Content-Length or chunked framing, the limit, memory up to a
/// threshold and a temporary file beyond it — or nothing kept at all when the body is only being dropped.
/// Used by a `Connection` as bytes arrive and by `InProcessClient` on a whole body: the same rules for both.
final class BodyAssembler {
    enum Storage {
        /// Keep the body: in memory up to `memoryThreshold` bytes and while `budget` (shared by every
        /// connection) allows, else in a file in `temporaryDirectory`.
        case keep(memoryThreshold: Int, temporaryDirectory: String, budget: MemoryBudget?)
        /// Read and drop it (a body nobody asked for, read to keep the connection usable).
        case discard
    }

    let limit: Int
    private let storage: Storage
    private let log: (String) -> Void
    /// Body bytes still expected with Content-Length framing.
    private var remaining: Int
    private var chunked: ChunkedDecoder?
    private var bytes: [UInt8] = []
    private var file: Int32 = -1
    private var filePath = ""
    /// Decoded body bytes so far.
    private(set) var length = 0
    /// Bytes taken off the wire so far, framing included (what the rate of a body is measured on).
    private(set) var received = 0
    /// Bytes of `bytes` counted in the memory budget.
    private var reserved = 0

    /// Refuses at once a Content-Length over `limit` (413). `log` receives storage failures' causes.
    init(head: RequestHead, limit: Int, storage: Storage, log: @escaping (String) -> Void) throws(HTTPFailure) {
        if let length = head.contentLength, length > limit { throw .payloadTooLarge(limit: limit) }
        self.limit = limit
        self.storage = storage
        self.log = log
        remaining = head.isChunked ? 0 : head.contentLength ?? 0
        if head.isChunked { chunked = ChunkedDecoder(maxBodyBytes: limit) }
    }

    deinit { discard() }

    private var budget: MemoryBudget? {
        if case .keep(_, _, let budget) = storage { return budget }
        return nil
    }

    /// Takes body bytes from the front of `input`; returns how many it used (whatever follows the body, a
    /// pipelined request, is left) and whether the body is now complete.
    func feed(_ input: UnsafeRawBufferPointer) throws(HTTPFailure) -> (used: Int, done: Bool) {
        if var decoder = chunked {
            defer { chunked = decoder }
            do {
                let (used, progress) = try decoder.feed(input) { piece in try self.append(piece) }
                received += used
                return (used, progress == .done)
            } catch let error as HTTPParseError {
                throw error.failure(bodyLimit: limit)
            } catch {
                throw .internalError
            }
        }
        let take = min(input.count, remaining)
        try append(UnsafeRawBufferPointer(rebasing: input[0..<take]))
        remaining -= take
        received += take
        return (take, remaining == 0)
    }

    /// The complete body; the assembler no longer owns it (a spilled file is the caller's to remove),
    /// nor the `reservedMemory` it holds in the budget (the caller releases that when done with it).
    func finish() -> (body: RequestBody, reservedMemory: Int) {
        let held = reserved
        reserved = 0
        if file >= 0 {
            Glibc.close(file)
            file = -1
            return (.file(TemporaryFile(path: filePath, length: length)), held)
        }
        defer { bytes = [] }
        return (bytes.isEmpty ? .empty : .bytes(bytes), held)
    }

    /// Drops what was received and removes a temporary file; safe to call more than once.
    func discard() {
        bytes = []
        budget?.release(reserved)
        reserved = 0
        if file >= 0 {
            Glibc.close(file)
            unlink(filePath)
            file = -1
        }
    }

    private func append(_ piece: UnsafeRawBufferPointer) throws(HTTPFailure) {
        guard piece.count > 0 else { return }
        length += piece.count
        guard case .keep(let threshold, let directory, let budget) = storage else { return }
        if file < 0 && (bytes.count + piece.count > threshold || budget?.reserve(piece.count) == false) {
            try openFile(in: directory)
            let spilled = bytes
            bytes = []
            budget?.release(reserved)
            reserved = 0
            var failure: HTTPFailure?
            spilled.withUnsafeBytes { all in
                do throws(HTTPFailure) { try writeFile(all) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        if file >= 0 {
            try writeFile(piece)
        } else {
            // Grows with what arrives, never with what the client announced.
            bytes.append(contentsOf: piece)
            if budget != nil { reserved += piece.count }
        }
    }

    private func openFile(in directory: String) throws(HTTPFailure) {
        filePath = "\(directory)/tsuna-body-\(UUID().uuidString.lowercased())"
        file = open(filePath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard file >= 0 else {
            log("cannot create \(filePath): \(String(cString: strerror(errno)))")
            throw .internalError
        }
    }

    private func writeFile(_ piece: UnsafeRawBufferPointer) throws(HTTPFailure) {
        var offset = 0
        while offset < piece.count {
            let n = write(file, piece.baseAddress! + offset, piece.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                log("writing request body: \(String(cString: strerror(errno)))")
                throw .internalError
            }
            offset += n
        }
    }
}
