import XCTest
import TestSupport
@testable import HTTP

/// Deterministic fuzzing: random bytes and mutations of valid input must never crash or hang, and must
/// give the same answer whether the bytes arrive at once or in two pieces.
final class ParserFuzzTests: XCTestCase {
    private let seeds: [[UInt8]] = [
        "GET /api/items/?page=2&q=a%20b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
        "POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nConnection: close\r\n\r\nhello",
        "PUT http://h:1/a?b HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n",
        "\r\nPOST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-A: caf\u{E9}\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: y\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    ].map { Array($0.utf8) }

    /// Bytes that matter to the grammar, drawn more often than chance would.
    private let special: [UInt8] = Array("\r\n :;,%/?*+=&\t0123456789aAfFzZ-\u{7F}".utf8) + [0, 0x80, 0xC3, 0xFF]

    private func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let pick = { (rng: inout SeededRandom) -> UInt8 in
                Bool.random(using: &rng) ? self.special.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[at] = pick(&rng)
            case 1: bytes.insert(pick(&rng), at: at)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...40, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            case 4: bytes = Array(bytes.prefix(at))
            default: bytes.insert(contentsOf: Array("\r\n".utf8), at: at)
            }
        }
        return bytes
    }

    private func randomBytes(_ rng: inout SeededRandom) -> [UInt8] {
        (0..<Int.random(in: 0...300, using: &rng)).map { _ in
            Int.random(in: 0..<3, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : special.randomElement(using: &rng)!
        }
    }

    /// A comparable description of a parse result.
    private func summary(_ result: HeadParseResult) -> String {
        switch result {
        case .incomplete: return "incomplete"
        case .failure(let error): return "failure \(error)"
        case .complete(let head, let length):
            return "complete \(length) \(head.method) \(head.target) \(head.rawPath) \(head.query ?? "nil") \(head.headers.count)"
                + " \(head.contentLength ?? -1) \(head.isChunked) \(head.keepAlive) \(head.expectContinue)"
        }
    }

    private func checkSane(_ result: HeadParseResult, _ bytes: [UInt8], maxHeadBytes: Int) {
        guard case .complete(let head, let length) = result else { return }
        XCTAssertTrue(length >= 4 && length <= bytes.count && length <= maxHeadBytes, "length \(length)")
        XCTAssertEqual(Array(bytes[(length - 4)..<length]), [13, 10, 13, 10])
        XCTAssertFalse(head.method.isEmpty)
        XCTAssertTrue(head.method.utf8.allSatisfy(ByteClass.isTchar))
        XCTAssertTrue(head.target.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E })
        XCTAssertTrue(head.rawPath.hasPrefix("/") || head.rawPath == "*")
        XCTAssertTrue(head.versionMinor == 0 || head.versionMinor == 1)
        XCTAssertLessThanOrEqual(head.headers.count, RequestHeadParser.maxHeaderFields)
        XCTAssertFalse(head.isChunked && head.contentLength != nil)
        XCTAssertGreaterThanOrEqual(head.contentLength ?? 0, 0)
    }

    func testHeadParserSurvivesMutationsAndRandomBytes() {
        var rng = SeededRandom(seed: 0x7453_756E_6121)
        var outcomes: [String: Int] = [:]
        for iteration in 0..<3000 {
            let bytes = iteration % 5 == 0 ? randomBytes(&rng) : mutate(seeds.randomElement(using: &rng)!, &rng)
            let maxHead = iteration % 3 == 0 ? Int.random(in: 0...200, using: &rng) : 16 * 1024
            let parser = RequestHeadParser(maxHeadBytes: maxHead)
            var scanned = 0
            let whole = bytes.withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }
            checkSane(whole, bytes, maxHeadBytes: maxHead)
            outcomes[String(summary(whole).prefix(while: { $0 != " " })), default: 0] += 1

            // The same bytes in two pieces, carrying the scan offset, must give the same answer.
            let split = Int.random(in: 0...bytes.count, using: &rng)
            var carried = 0
            var pieces = bytes.withUnsafeBytes {
                parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<split]), scannedUpTo: &carried)
            }
            if case .incomplete = pieces {
                pieces = bytes.withUnsafeBytes { parser.parse($0, scannedUpTo: &carried) }
            }
            XCTAssertEqual(summary(pieces), summary(whole), "iteration \(iteration), split \(split): \(bytes)")
        }
        // The corpus must actually reach every kind of outcome, or the fuzzing proves little.
        XCTAssertGreaterThan(outcomes["complete", default: 0], 100)
        XCTAssertGreaterThan(outcomes["failure", default: 0], 100)
        XCTAssertGreaterThan(outcomes["incomplete", default: 0], 100)
    }

    func testChunkedDecoderSurvivesMutations() {
        var rng = SeededRandom(seed: 0xC4C4_1E)
        let valid = Array("5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\nNEXT".utf8)
        func run(_ pieces: [ArraySlice<UInt8>], max: Int) -> String {
            var decoder = ChunkedDecoder(maxBodyBytes: max, maxExtensionBytes: 16, maxTrailerBytes: 16)
            var body: [UInt8] = []
            var consumed = 0
            do {
                for piece in pieces {
                    let r = try piece.withUnsafeBytes { try decoder.feed($0) { body.append(contentsOf: $0) } }
                    consumed += r.consumed
                    XCTAssertLessThanOrEqual(r.consumed, piece.count)
                    XCTAssertLessThanOrEqual(body.count, max)
                    if r.progress == .done { return "done \(consumed) \(body)" }
                    XCTAssertEqual(r.consumed, piece.count, "needMore consumes everything")
                }
                return "needMore \(consumed) \(body)"
            } catch {
                return "error \(error)"
            }
        }
        var dones = 0
        for iteration in 0..<2000 {
            let bytes = iteration % 5 == 0 ? randomBytes(&rng) : mutate(valid, &rng)
            let max = Bool.random(using: &rng) ? Int.random(in: 0...40, using: &rng) : 1 << 20
            let whole = run([bytes[...]], max: max)
            let split = Int.random(in: 0...bytes.count, using: &rng)
            XCTAssertEqual(run([bytes[..<split], bytes[split...]], max: max), whole, "iteration \(iteration)")
            if whole.hasPrefix("done") { dones += 1 }
        }
        XCTAssertGreaterThan(dones, 50)
    }

    func testPercentDecodingSurvivesRandomInput() {
        var rng = SeededRandom(seed: 0x9E5C)
        let alphabet = Array("%%%aF09+=&zé✓ ".unicodeScalars)
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...20, using: &rng) { text.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            let valid = PercentEncoding.isValid(Substring(text))
            let decoded = PercentEncoding.decode(Substring(text), plusAsSpace: true)
            if !valid { XCTAssertNil(decoded, text) }
            if decoded != nil { XCTAssertTrue(valid, text) }
            if let form = PercentEncoding.parseForm(Substring(text)) {
                XCTAssertLessThanOrEqual(form.count, text.utf8.count)
            }
        }
    }
}
