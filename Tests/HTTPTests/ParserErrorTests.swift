import XCTest
@testable import HTTP

/// Malformed heads: each case is rejected with its exact error.
final class ParserErrorTests: XCTestCase {
    func testLineEndingsMustBeCRLF() {
        XCTAssertParseError("GET / HTTP/1.1\nHost: x\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/1.1\r\nHost: x\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nHost: x\r\n\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\n\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/1.1\r\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /\r HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n\r\n", .badHeader)
        XCTAssertParseError("\nGET / HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("\r\n\nGET / HTTP/1.1\r\n\r\n", .badRequestLine)
    }

    func testRequestLineShape() {
        XCTAssertParseError("GET  / HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /  HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/1.1 \r\n\r\n", .badRequestLine)
        XCTAssertParseError(" GET / HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET\t/ HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET\r\n\r\n", .badRequestLine)
        XCTAssertParseError("G(T / HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("\(String(repeating: "M", count: 33)) / HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / http/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/1.10\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / HTTP/11\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET / FOO\r\n\r\n", .badRequestLine)
        XCTAssertParseError("\r\n\r\n\u{1}\r\n\r\n", .badRequestLine)
    }

    func testUnsupportedVersions() {
        XCTAssertParseError("GET / HTTP/2.0\r\n\r\n", .badVersion)
        XCTAssertParseError("GET / HTTP/1.2\r\n\r\n", .badVersion)
        XCTAssertParseError("GET / HTTP/0.9\r\n\r\n", .badVersion)
        XCTAssertParseError("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .badVersion)
    }

    func testTargetRules() {
        XCTAssertParseError("GET /a\u{7F}b HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /caf\u{E9} HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /a\u{0}b HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET * HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("OPTIONS *x HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET example.com HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("CONNECT example.com:443 HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET ftp://example.com/ HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET http:///path HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET http://user@host/ HTTP/1.1\r\n\r\n", .badRequestLine)
        XCTAssertParseError("GET /\(String(repeating: "a", count: 8 * 1024)) HTTP/1.1\r\n\r\n", .badRequestLine)
    }

    func testPercentEncodingInTarget() {
        XCTAssertParseError("GET /a%2 HTTP/1.1\r\n\r\n", .badPercentEncoding)
        XCTAssertParseError("GET /a%zz HTTP/1.1\r\n\r\n", .badPercentEncoding)
        XCTAssertParseError("GET /a% HTTP/1.1\r\n\r\n", .badPercentEncoding)
        XCTAssertParseError("GET /a?x=%G1 HTTP/1.1\r\n\r\n", .badPercentEncoding)
        XCTAssertParseError("GET /a?x=%4 HTTP/1.1\r\n\r\n", .badPercentEncoding)
        XCTAssertParseError("GET http://h/%%41 HTTP/1.1\r\n\r\n", .badPercentEncoding)
    }

    func testHeaderFieldSyntax() {
        XCTAssertParseError("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\n: x\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nNoColon\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nBad(Name): x\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nX: a\u{7F}b\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nX: a\u{1B}b\r\n\r\n", .badHeader)
    }

    func testObsFoldIsRejected() {
        XCTAssertParseError("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", .badHeader)
        XCTAssertParseError("GET / HTTP/1.1\r\n Host: x\r\n\r\n", .badHeader)
    }

    func testMoreThan100FieldsIsTooLarge() {
        var text = "GET / HTTP/1.1\r\n"
        for i in 0...100 { text += "X-\(i): v\r\n" }
        XCTAssertParseError(text + "\r\n", .headerTooLarge)
    }

    func testHeadSizeLimit() {
        let request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let length = request.utf8.count
        XCTAssertParseError(request, .headerTooLarge, maxHeadBytes: length - 1)
        // No end of head within the limit.
        XCTAssertParseError("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), .headerTooLarge, maxHeadBytes: 64)
        // Leading empty lines count towards the limit, so a stream of CRLFs cannot grow the buffer forever.
        XCTAssertParseError(String(repeating: "\r\n", count: 100), .headerTooLarge, maxHeadBytes: 64)
        XCTAssertParseError(String(repeating: "\r\n", count: 10) + request, .headerTooLarge, maxHeadBytes: length + 19)
        guard case .incomplete = ParserTestSupport.parse("GET / HTTP/1.1\r\nX: aaaa", maxHeadBytes: 64) else {
            return XCTFail("a short partial head is incomplete")
        }
    }

    func testContentLengthRules() {
        let prefix = "POST / HTTP/1.1\r\n"
        XCTAssertParseError(prefix + "Content-Length: abc\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: -1\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: +1\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 1.0\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 0x10\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 1 2\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length:\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 5,\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 5,,5\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 1234567890123456789\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 99999999999999999999999\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 5, 6\r\n\r\n", .badContentLength)
        XCTAssertParseError(prefix + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", .badContentLength)
    }

    func testTransferEncodingRules() {
        let prefix = "POST / HTTP/1.1\r\n"
        XCTAssertParseError(prefix + "Transfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding: chunked, chunked\r\n\r\n", .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding: identity\r\n\r\n", .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding:\r\n\r\n", .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                            .unsupportedTransferEncoding)
        XCTAssertParseError(prefix + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .conflictingFraming)
        XCTAssertParseError(prefix + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingFraming)
        XCTAssertParseError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingFraming)
    }

    func testRepeatedHostIsRejected() {
        XCTAssertParseError("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", .badHeader)
    }
}
