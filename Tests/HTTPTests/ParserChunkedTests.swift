import XCTest
@testable import HTTP

/// The chunked body decoder: framing, limits, and bytes split anywhere.
final class ParserChunkedTests: XCTestCase {
    private let body = Array("4\r\nWiki\r\n6;name=\"va;l\"\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n".utf8)
    private let decoded = Array("Wikipedia in \r\n\r\nchunks.".utf8)

    func testWholeBody() throws {
        let result = try ParserTestSupport.decodeChunked([body])
        XCTAssertEqual(result.body, decoded)
        XCTAssertEqual(result.consumed, body.count)
        XCTAssertEqual(result.progress, .done)
    }

    func testSplitAtEveryByteBoundary() throws {
        for split in 0...body.count {
            let result = try ParserTestSupport.decodeChunked([Array(body[..<split]), Array(body[split...])])
            XCTAssertEqual(result.body, decoded, "split \(split)")
            XCTAssertEqual(result.consumed, body.count, "split \(split)")
            XCTAssertEqual(result.progress, .done, "split \(split)")
        }
    }

    func testOneByteAtATime() throws {
        let result = try ParserTestSupport.decodeChunked(body.map { [$0] })
        XCTAssertEqual(result.body, decoded)
        XCTAssertEqual(result.progress, .done)
    }

    func testNeedMoreUntilTheFinalCRLF() throws {
        var decoder = ChunkedDecoder(maxBodyBytes: 100)
        let partial = Array(body.dropLast())
        let result = try partial.withUnsafeBytes { try decoder.feed($0) { _ in } }
        XCTAssertEqual(result.consumed, partial.count)
        XCTAssertEqual(result.progress, .needMore)
        let last = try [UInt8(0x0A)].withUnsafeBytes { try decoder.feed($0) { _ in } }
        XCTAssertEqual(last.consumed, 1)
        XCTAssertEqual(last.progress, .done)
        let after = try [UInt8(0x41)].withUnsafeBytes { try decoder.feed($0) { _ in } }
        XCTAssertEqual(after.consumed, 0, "a finished decoder consumes nothing more")
        XCTAssertEqual(after.progress, .done)
    }

    func testBytesAfterTheTerminatingChunkAreNotConsumed() throws {
        let pipelined = body + Array("GET / HTTP/1.1\r\n\r\n".utf8)
        let result = try ParserTestSupport.decodeChunked([pipelined])
        XCTAssertEqual(result.consumed, body.count)
        XCTAssertEqual(result.body, decoded)
        XCTAssertEqual(result.progress, .done)
    }

    func testExtensionsAndWhitespaceBeforeThemAreIgnored() throws {
        let input = Array("3 ;a=b;c\r\nabc\r\n1\t; q=\"x y\"\r\nd\r\n0;last\r\n\r\n".utf8)
        let result = try ParserTestSupport.decodeChunked([input])
        XCTAssertEqual(result.body, Array("abcd".utf8))
        XCTAssertEqual(result.progress, .done)
    }

    func testTrailersAreIgnored() throws {
        let input = Array("2\r\nhi\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\nNEXT".utf8)
        let result = try ParserTestSupport.decodeChunked([input])
        XCTAssertEqual(result.body, Array("hi".utf8))
        XCTAssertEqual(result.consumed, input.count - 4)
        XCTAssertEqual(result.progress, .done)
    }

    func testEmptyBodyAndUppercaseHex() throws {
        XCTAssertEqual(try ParserTestSupport.decodeChunked([Array("0\r\n\r\n".utf8)]).body, [])
        let upper = try ParserTestSupport.decodeChunked([Array("A\r\n0123456789\r\n000\r\n\r\n".utf8)])
        XCTAssertEqual(upper.body.count, 10)
        XCTAssertEqual(upper.progress, .done)
    }

    func testMalformedFraming() {
        let cases: [(String, String)] = [
            ("bad hex", "g\r\nabc\r\n0\r\n\r\n"),
            ("hex then garbage", "1x\r\na\r\n0\r\n\r\n"),
            ("no digits", "\r\na\r\n0\r\n\r\n"),
            ("extension without digits", ";x\r\n"),
            ("negative", "-1\r\n"),
            ("17 hex digits", "00000000000000001\r\na\r\n0\r\n\r\n"),
            ("huge size", "FFFFFFFFFFFFFFFFF\r\n"),
            ("bare LF after size", "1\na\r\n0\r\n\r\n"),
            ("CR not followed by LF", "1\rxa\r\n0\r\n\r\n"),
            ("missing CRLF after data", "1\r\nab\r\n0\r\n\r\n"),
            ("LF only after data", "1\r\na\n0\r\n\r\n"),
            ("CR then junk after data", "1\r\na\rX0\r\n\r\n"),
            ("junk then LF after data", "1\r\naX\n0\r\n\r\n"),
            ("digits after whitespace", "1 2\r\nab\r\n"),
            ("control byte in extension", "1;a\u{1}\r\na\r\n0\r\n\r\n"),
            ("control byte in trailer", "0\r\nX: \u{0}\r\n\r\n"),
            ("bare LF ending trailer", "0\r\nX: 1\n\r\n"),
            ("bare LF at end", "0\r\n\n"),
            ("junk at final CRLF", "0\r\n\rX"),
        ]
        for (name, input) in cases {
            XCTAssertThrowsError(try ParserTestSupport.decodeChunked([Array(input.utf8)]), name) { error in
                XCTAssertEqual(error as? HTTPParseError, .badChunk, name)
            }
        }
    }

    func testOversizeExtensionsAndTrailersAreRejected() throws {
        let longExtension = "1;" + String(repeating: "x", count: 5000) + "\r\na\r\n0\r\n\r\n"
        XCTAssertThrowsError(try ParserTestSupport.decodeChunked([Array(longExtension.utf8)])) {
            XCTAssertEqual($0 as? HTTPParseError, .badChunk)
        }
        // The extension budget is for the whole body, not per chunk.
        let manySmall = String(repeating: "1;" + String(repeating: "e", count: 100) + "\r\na\r\n", count: 50) + "0\r\n\r\n"
        XCTAssertThrowsError(try ParserTestSupport.decodeChunked([Array(manySmall.utf8)])) {
            XCTAssertEqual($0 as? HTTPParseError, .badChunk)
        }
        let longTrailer = "0\r\n" + String(repeating: "X-A: 1234567890\r\n", count: 600) + "\r\n"
        XCTAssertThrowsError(try ParserTestSupport.decodeChunked([Array(longTrailer.utf8)])) {
            XCTAssertEqual($0 as? HTTPParseError, .badChunk)
        }
        let withinLimits = "1;" + String(repeating: "x", count: 4000) + "\r\na\r\n0\r\n"
            + String(repeating: "X-A: 123\r\n", count: 500) + "\r\n"
        XCTAssertEqual(try ParserTestSupport.decodeChunked([Array(withinLimits.utf8)]).progress, .done)
    }

    func testExceedingMaxBodyBytesIsRejectedBeforeEmitting() throws {
        var decoder = ChunkedDecoder(maxBodyBytes: 10)
        var emitted: [UInt8] = []
        let input = Array("6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n".utf8)
        XCTAssertThrowsError(try input.withUnsafeBytes { try decoder.feed($0) { emitted.append(contentsOf: $0) } }) {
            XCTAssertEqual($0 as? HTTPParseError, .bodyTooLarge)
        }
        XCTAssertEqual(emitted, Array("abcdef".utf8), "the oversize chunk is refused before any of it is emitted")
        XCTAssertThrowsError(try [UInt8(0x30)].withUnsafeBytes { try decoder.feed($0) { _ in } },
                             "a failed decoder stays failed")

        let exact = Array("6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n".utf8)
        XCTAssertEqual(try ParserTestSupport.decodeChunked([exact], maxBodyBytes: 10).body.count, 10)
        XCTAssertThrowsError(try ParserTestSupport.decodeChunked([Array("FFFFFFFFFFFFFFFF\r\n".utf8)], maxBodyBytes: 10)) {
            XCTAssertEqual($0 as? HTTPParseError, .bodyTooLarge)
        }
    }

    func testErrorsThrownByEmitPropagate() {
        struct Stop: Error {}
        var decoder = ChunkedDecoder(maxBodyBytes: 100)
        XCTAssertThrowsError(try body.withUnsafeBytes { try decoder.feed($0) { _ in throw Stop() } }) {
            XCTAssertTrue($0 is Stop)
        }
    }
}
