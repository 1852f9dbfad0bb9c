// libFuzzer harness: the chunked body decoder.
//
// Input: byte 0 picks the body limit and the read pattern, byte 1 the extension and trailer limits,
// byte 2 seeds the read sizes; the rest is the body stream (possibly followed by a pipelined request).
// The stream is fed in reads of random size, the unconsumed rest of a read presented again with the
// next one, as the connection does. Checked: the decoded length never exceeds the limit, no more than
// the window is consumed, "needMore" consumes the whole window (or the connection would spin), a
// finished decoder stays finished and a failed one stays failed, and the outcome (decoded bytes,
// bytes consumed, or the error) is the same as when the whole stream is fed at once.
import HTTP

private let bodyLimits = [0, 1, 100, 4096]
private let sideLimits = [0, 8, 64, 4096]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let c0 = input.byte(), c1 = input.byte(), c2 = input.byte()
    let limits = (body: bodyLimits[Int(c0 & 3)], ext: sideLimits[Int(c1 & 3)], trailer: sideLimits[Int(c1 >> 2 & 3)])
    let stream = input.rest
    var rng = SplitMix(seed: UInt64(c0) << 16 | UInt64(c1) << 8 | UInt64(c2))
    let whole = decode(stream, sizes: [stream.count], limits: limits)
    let sizes = readSizes(total: stream.count, mode: c0 >> 2, rng: &rng)
    let split = decode(stream, sizes: sizes, limits: limits)
    fuzzCheck(whole == split, "fed at once: \(whole)\nfed in reads \(sizes): \(split)")
    return 0
}

private enum Outcome: Equatable, CustomStringConvertible {
    case done(body: [UInt8], consumed: Int)
    case needMore(body: [UInt8])
    case failed(HTTPParseError)

    var description: String {
        switch self {
        case .done(let body, let consumed): return "done, \(body.count) bytes decoded, \(consumed) consumed"
        case .needMore(let body): return "needMore, \(body.count) bytes decoded"
        case .failed(let error): return "failed: \(error)"
        }
    }
}

private func decode(_ stream: [UInt8], sizes: [Int], limits: (body: Int, ext: Int, trailer: Int)) -> Outcome {
    var decoder = ChunkedDecoder(maxBodyBytes: limits.body, maxExtensionBytes: limits.ext, maxTrailerBytes: limits.trailer)
    var body: [UInt8] = []
    var window: [UInt8] = []
    var consumedTotal = 0
    var delivered = 0
    for n in sizes {
        window.append(contentsOf: stream[delivered..<(delivered + n)])
        delivered += n
        do {
            let (used, progress) = try window.withUnsafeBytes { bytes in
                try decoder.feed(bytes) { piece in
                    fuzzCheck(piece.count <= bytes.count, "emitted \(piece.count) bytes from a \(bytes.count)-byte window")
                    body.append(contentsOf: piece)
                }
            }
            fuzzCheck(used >= 0 && used <= window.count, "consumed \(used) of a \(window.count)-byte window")
            fuzzCheck(body.count <= limits.body, "decoded \(body.count) bytes, limit \(limits.body)")
            consumedTotal += used
            window.removeFirst(used)
            if progress == .done {
                // Finished: later bytes belong to the next request and are never taken.
                let again = try? window.withUnsafeBytes { try decoder.feed($0) { _ in fuzzFail("emitted after done") } }
                fuzzCheck(again?.consumed == 0 && again?.progress == .done, "a finished decoder took more input")
                return .done(body: body, consumed: consumedTotal)
            }
            fuzzCheck(window.isEmpty, "needMore left \(window.count) bytes unconsumed")
        } catch let error as HTTPParseError {
            fuzzCheck(error == .badChunk || error == .bodyTooLarge, "unexpected error \(error)")
            fuzzCheck(error != .bodyTooLarge || body.count <= limits.body, "bodyTooLarge after going over")
            // A failed decoder keeps failing, and emits nothing more.
            var probe: [UInt8] = [0x30, 0x0D, 0x0A, 0x0D, 0x0A]
            let stillFails = (try? probe.withUnsafeMutableBytes { try decoder.feed(UnsafeRawBufferPointer($0)) { _ in } }) == nil
            fuzzCheck(stillFails, "a failed decoder accepted more input")
            return .failed(error)
        } catch {
            fuzzFail("unexpected error type \(error)")
        }
    }
    return .needMore(body: body)
}
