import XCTest
@testable import HTTP

/// Heads arriving in pieces: every split point, the resumable scan offset, and pipelining.
final class ParserIncrementalTests: XCTestCase {
    private let request = Array(("\r\nPOST /items/?a=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n"
        + "User-Agent: wrk\r\nAccept: */*\r\n\r\n").utf8)

    /// Parses the first `k` bytes of `bytes`.
    private func parsePrefix(_ bytes: [UInt8], _ k: Int, _ parser: RequestHeadParser = RequestHeadParser(),
                             scannedUpTo: inout Int) -> HeadParseResult {
        bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<k]), scannedUpTo: &scannedUpTo) }
    }

    /// Feeds growing prefixes of `bytes` to one parser, carrying `scannedUpTo` like the event loop does.
    private func feedPrefixes(_ bytes: [UInt8], upTo end: Int, step: Int)
        -> (results: [HeadParseResult], last: HeadParseResult) {
        let parser = RequestHeadParser()
        var scanned = 0
        var results: [HeadParseResult] = []
        var k = 0
        while k < end {
            k = min(k + step, end)
            let result = parsePrefix(bytes, k, parser, scannedUpTo: &scanned)
            results.append(result)
            if case .incomplete = result { continue }
            break
        }
        return (results, results.last ?? .incomplete)
    }

    func testEveryPrefixIsIncompleteUntilTheLastByte() throws {
        let parser = RequestHeadParser()
        for k in 0..<request.count {
            var scanned = 0
            let result = parsePrefix(request, k, parser, scannedUpTo: &scanned)
            guard case .incomplete = result else { return XCTFail("prefix of \(k) bytes gave \(result)") }
        }
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(request)))
        XCTAssertEqual(length, request.count)
        XCTAssertEqual(head.contentLength, 3)
        XCTAssertEqual(head.headers["user-agent"], "wrk")
    }

    func testSplitAtEveryByteBoundaryWithCarriedScanOffset() throws {
        for split in 1..<request.count {
            let parser = RequestHeadParser()
            var scanned = 0
            let first = parsePrefix(request, split, parser, scannedUpTo: &scanned)
            guard case .incomplete = first else { return XCTFail("split \(split): first part gave \(first)") }
            XCTAssertLessThanOrEqual(scanned, split)
            let second = request.withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }
            let (head, length) = try XCTUnwrap(XCTUnwrapHead(second), "split \(split)")
            XCTAssertEqual(length, request.count)
            XCTAssertEqual(head.rawPath, "/items/")
            XCTAssertEqual(head.headers.count, 4)
        }
    }

    func testOneByteAtATime() throws {
        let (results, last) = feedPrefixes(request, upTo: request.count, step: 1)
        XCTAssertEqual(results.count, request.count)
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(last))
        XCTAssertEqual(length, request.count)
        XCTAssertEqual(head.headers["accept"], "*/*")
    }

    func testPipelinedSecondRequestIsLeftAlone() throws {
        let second = Array("GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8)
        let both = request + Array("abc".utf8) + second
        for k in 0..<request.count {
            var scanned = 0
            let result = parsePrefix(both, k, scannedUpTo: &scanned)
            guard case .incomplete = result else { return XCTFail("prefix of \(k) bytes gave \(result)") }
        }
        for k in request.count...both.count {
            let (_, last) = feedPrefixes(both, upTo: k, step: max(1, k / 3))
            let (head, length) = try XCTUnwrap(XCTUnwrapHead(last), "prefix \(k)")
            XCTAssertEqual(length, request.count, "prefix \(k)")
            XCTAssertEqual(head.rawPath, "/items/")
        }
        let rest = Array(both[(request.count + 3)...])
        let (next, nextLength) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(rest)))
        XCTAssertEqual(next.rawPath, "/next")
        XCTAssertEqual(nextLength, second.count)
    }

    func testScanOffsetAdvancesAndErrorsAreFoundWhenTheLineCompletes() {
        let parser = RequestHeadParser()
        var scanned = 0
        let partial = Array("GET / HTTP/1.1\r\nX: a".utf8)
        _ = partial.withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }
        XCTAssertEqual(scanned, partial.count, "everything scanned so far is remembered")
        let bad = partial + Array("\nY: b\r\n\r\n".utf8)
        let result = bad.withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }
        guard case .failure(.badHeader) = result else { return XCTFail("bare LF after resuming gave \(result)") }
    }

    func testOutOfRangeScanOffsetIsHarmless() throws {
        let parser = RequestHeadParser()
        for offset in [-5, Int.min, Int.max, request.count + 10] {
            var scanned = offset
            let result = request.withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }
            if case .failure(let error) = result { XCTFail("offset \(offset) gave \(error)") }
        }
    }

    func testEmptyInputIsIncomplete() {
        var scanned = 0
        let result = RequestHeadParser().parse(UnsafeRawBufferPointer(start: nil, count: 0), scannedUpTo: &scanned)
        guard case .incomplete = result else { return XCTFail("empty input gave \(result)") }
    }
}
