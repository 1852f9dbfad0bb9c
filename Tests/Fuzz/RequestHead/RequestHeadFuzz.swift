// libFuzzer harness: the request-head parser driven as a connection drives it.
//
// Input: byte 0 picks the head-size limit and the read pattern, byte 1 seeds the read sizes; the rest
// is the byte stream a client sends (one or more pipelined requests, with bodies). The stream arrives
// in reads of random size; after each read the parser is called with the carried `scannedUpTo`, exactly
// as Sources/HTTP/Server/Connection.swift calls it, and its answer must equal a one-shot parse of the
// same bytes from scratch. So a head is reported complete exactly once, at the first read that
// completes it, never earlier and never missed. Content-Length bodies are skipped; chunked bodies go
// through the ChunkedDecoder; the next request follows.
import HTTP

private let headLimits = [64, 300, 2048, 16 * 1024]
private let bodyLimit = 4096

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let c0 = input.byte(), c1 = input.byte()
    let parser = RequestHeadParser(maxHeadBytes: headLimits[Int(c0 & 3)])
    var rng = SplitMix(seed: UInt64(c0) << 8 | UInt64(c1))
    let stream = input.rest
    let sizes = readSizes(total: stream.count, mode: c0 >> 2, rng: &rng)
    var connection = SimulatedConnection(parser: parser)
    var delivered = 0
    for n in sizes {
        connection.receive(stream[delivered..<(delivered + n)])
        delivered += n
        if connection.closed { break }
    }
    return 0
}

/// A comparable description of everything a parse reports.
private func summary(_ result: HeadParseResult) -> String {
    switch result {
    case .incomplete:
        return "incomplete"
    case .failure(let error):
        return "failure \(error)"
    case .complete(let head, let length):
        var text = "complete \(length) \(head.method) \(head.target) \(head.rawPath) \(head.query ?? "<nil>") 1.\(head.versionMinor)"
        text += " cl=\(head.contentLength ?? -1) chunked=\(head.isChunked) keepAlive=\(head.keepAlive) continue=\(head.expectContinue)"
        for (name, value) in head.headers { text += "\n\(name): \(value)" }
        return text
    }
}

private struct SimulatedConnection {
    enum Phase {
        case head
        case fixedBody(remaining: Int)
        case chunkedBody(ChunkedDecoder, decoded: Int)
        case closed
    }

    let parser: RequestHeadParser
    var pending: [UInt8] = []
    var scannedUpTo = 0
    var phase = Phase.head
    var closed: Bool { if case .closed = phase { return true } else { return false } }

    init(parser: RequestHeadParser) { self.parser = parser }

    mutating func receive(_ bytes: ArraySlice<UInt8>) {
        pending.append(contentsOf: bytes)
        while !pending.isEmpty {
            switch phase {
            case .closed:
                return
            case .head:
                if !parseHead() { return }
            case .fixedBody(let remaining):
                let take = min(remaining, pending.count)
                pending.removeFirst(take)
                phase = take == remaining ? .head : .fixedBody(remaining: remaining - take)
            case .chunkedBody(var decoder, var decoded):
                do {
                    let (used, progress) = try pending.withUnsafeBytes { window in
                        try decoder.feed(window) { piece in decoded += piece.count }
                    }
                    fuzzCheck(used <= pending.count, "the decoder consumed \(used) of \(pending.count) bytes")
                    fuzzCheck(decoded <= bodyLimit, "decoded \(decoded) bytes over the limit \(bodyLimit)")
                    if progress == .needMore {
                        fuzzCheck(used == pending.count, "needMore after consuming \(used) of \(pending.count)")
                    }
                    pending.removeFirst(used)
                    phase = progress == .done ? .head : .chunkedBody(decoder, decoded: decoded)
                } catch {
                    fuzzCheck(error is HTTPParseError, "unexpected error \(error)")
                    phase = .closed
                }
            }
        }
    }

    /// One parser call on the pending bytes; true when a head was consumed (parsing may go on).
    private mutating func parseHead() -> Bool {
        let before = scannedUpTo
        let result = pending.withUnsafeBytes { parser.parse($0, scannedUpTo: &scannedUpTo) }
        var fresh = 0
        let reference = pending.withUnsafeBytes { parser.parse($0, scannedUpTo: &fresh) }
        if case .incomplete = result, case .incomplete = reference {
            // The common case, compared without building descriptions.
        } else {
            let (got, expected) = (summary(result), summary(reference))
            fuzzCheck(got == expected,
                      "incremental parse (scannedUpTo \(before)) differs from a one-shot parse of the same \(pending.count) bytes:\n\(got)\n--- one-shot:\n\(expected)")
        }
        switch result {
        case .incomplete:
            fuzzCheck(scannedUpTo >= 0 && scannedUpTo <= pending.count, "scannedUpTo \(scannedUpTo) outside 0...\(pending.count)")
            fuzzCheck(pending.count < parser.maxHeadBytes, "incomplete with \(pending.count) bytes at a \(parser.maxHeadBytes)-byte limit")
            return false
        case .failure(let error):
            fuzzCheck(error.status >= 400 && !error.message.isEmpty, "error without a status or message: \(error)")
            phase = .closed
            return false
        case .complete(let head, let length):
            checkSane(head, length: length)
            pending.removeFirst(length)
            scannedUpTo = 0
            if head.isChunked {
                phase = .chunkedBody(ChunkedDecoder(maxBodyBytes: bodyLimit, maxExtensionBytes: 64, maxTrailerBytes: 128), decoded: 0)
            } else if let length = head.contentLength, length > 0 {
                phase = .fixedBody(remaining: length)
            }
            return true
        }
    }

    private func checkSane(_ head: RequestHead, length: Int) {
        fuzzCheck(length >= 4 && length <= pending.count && length <= parser.maxHeadBytes, "head length \(length)")
        fuzzCheck(Array(pending[(length - 4)..<length]) == [13, 10, 13, 10], "a head must end with CRLFCRLF")
        fuzzCheck(!head.method.isEmpty, "empty method")
        fuzzCheck(head.target.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "target with invisible bytes: \(head.target)")
        fuzzCheck(head.rawPath.hasPrefix("/") || head.rawPath == "*", "raw path \(head.rawPath)")
        fuzzCheck(head.versionMinor == 0 || head.versionMinor == 1, "version 1.\(head.versionMinor)")
        fuzzCheck(head.headers.count <= RequestHeadParser.maxHeaderFields, "\(head.headers.count) header fields")
        fuzzCheck(!(head.isChunked && head.contentLength != nil), "both chunked and Content-Length")
        fuzzCheck((head.contentLength ?? 0) >= 0, "negative Content-Length")
        // What the router and handlers do next with the target must not trap either.
        if let query = head.query {
            _ = PercentEncoding.parseForm(Substring(query))
        }
        fuzzCheck(PercentEncoding.isValid(Substring(head.rawPath)), "an invalid %-escape passed the parser: \(head.rawPath)")
        _ = PercentEncoding.decode(Substring(head.rawPath), plusAsSpace: false)
        for (name, _) in head.headers { fuzzCheck(head.headers[name] != nil, "lookup of \(name) fails") }
    }
}
