import XCTest
@testable import HTTP

/// Valid requests: what the parser extracts from the request line and the header fields.
final class ParserTests: XCTestCase {
    func testSimpleGet() throws {
        let text = "GET /api/v1/users/?page=2&q=a%20b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text)))
        XCTAssertEqual(length, text.utf8.count)
        XCTAssertEqual(head.method, "GET")
        XCTAssertEqual(head.target, "/api/v1/users/?page=2&q=a%20b")
        XCTAssertEqual(head.rawPath, "/api/v1/users/")
        XCTAssertEqual(head.query, "page=2&q=a%20b")
        XCTAssertEqual(head.versionMinor, 1)
        XCTAssertEqual(head.headers.count, 2)
        XCTAssertEqual(head.headers["host"], "example.com")
        XCTAssertNil(head.contentLength)
        XCTAssertFalse(head.isChunked)
        XCTAssertTrue(head.keepAlive)
        XCTAssertFalse(head.expectContinue)
    }

    func testQueryAbsentVersusEmpty() throws {
        let plain = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(plain.head.rawPath, "/a")
        XCTAssertNil(plain.head.query)
        XCTAssertEqual(plain.head.headers.count, 1)
        let empty = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(empty.head.rawPath, "/a")
        XCTAssertEqual(empty.head.query, "")
    }

    func testPostWithContentLength() throws {
        let text = "POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text + "{\"username\":\"a\",\"pw\":\"b\"}")))
        XCTAssertEqual(length, text.utf8.count, "the head ends before the body")
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(head.contentLength, 27)
        XCTAssertFalse(head.isChunked)
        XCTAssertEqual(head.headers["content-type"], "application/json")
    }

    func testContentLengthListAndRepeatsOfEqualValues() throws {
        let list = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 , 5,5\r\n\r\n")))
        XCTAssertEqual(list.head.contentLength, 5)
        let repeated = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\ncontent-length: 007\r\n\r\n")))
        XCTAssertEqual(repeated.head.contentLength, 7)
        let zero = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")))
        XCTAssertEqual(zero.head.contentLength, 0)
        let largest = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999999\r\n\r\n")))
        XCTAssertEqual(largest.head.contentLength, 999_999_999_999_999_999)
    }

    func testChunkedFlag() throws {
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  ChUnKeD \t\r\n\r\n")))
        XCTAssertTrue(head.isChunked)
        XCTAssertNil(head.contentLength)
        XCTAssertEqual(head.headers["transfer-encoding"], "ChUnKeD", "OWS is trimmed from values")
    }

    func testKeepAliveRules() throws {
        func keepAlive(_ version: String, _ connection: String?) throws -> Bool {
            let field = connection.map { "Connection: \($0)\r\n" } ?? ""
            let text = "GET / HTTP/\(version)\r\nHost: x\r\n\(field)\r\n"
            return try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text))).head.keepAlive
        }
        XCTAssertTrue(try keepAlive("1.1", nil))
        XCTAssertFalse(try keepAlive("1.1", "close"))
        XCTAssertFalse(try keepAlive("1.1", "Upgrade, CLOSE"))
        XCTAssertTrue(try keepAlive("1.1", "keep-alive"))
        XCTAssertTrue(try keepAlive("1.1", "closed"), "a token is matched whole")
        XCTAssertFalse(try keepAlive("1.0", nil))
        XCTAssertTrue(try keepAlive("1.0", "Keep-Alive"))
        XCTAssertTrue(try keepAlive("1.0", "foo ,keep-alive"))
        XCTAssertFalse(try keepAlive("1.0", "keep-alive, close"))
        XCTAssertFalse(try keepAlive("1.0", "keep-alive-ish"))
        let http10 = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET / HTTP/1.0\r\n\r\n")))
        XCTAssertEqual(http10.head.versionMinor, 0)
    }

    func testConnectionTokensAcrossRepeatedFields() throws {
        let text = "GET / HTTP/1.0\r\nConnection: foo\r\nConnection: keep-alive\r\n\r\n"
        XCTAssertTrue(try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text))).head.keepAlive)
    }

    func testExpectContinue() throws {
        let text = "PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 10\r\n\r\n"
        XCTAssertTrue(try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text))).head.expectContinue)
        let other = "PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n"
        XCTAssertFalse(try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(other))).head.expectContinue)
    }

    func testAbsoluteForm() throws {
        let full = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "GET http://example.com:8080/a/b%2F?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")))
        XCTAssertEqual(full.head.target, "http://example.com:8080/a/b%2F?x=1")
        XCTAssertEqual(full.head.rawPath, "/a/b%2F")
        XCTAssertEqual(full.head.query, "x=1")
        let bare = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET HTTPS://example.com HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(bare.head.rawPath, "/", "an empty path means /")
        XCTAssertNil(bare.head.query)
        let queryOnly = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET http://h?q HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(queryOnly.head.rawPath, "/")
        XCTAssertEqual(queryOnly.head.query, "q")
    }

    func testAsteriskFormForOptions() throws {
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(head.target, "*")
        XCTAssertEqual(head.rawPath, "*")
        XCTAssertNil(head.query)
    }

    func testLeadingEmptyLinesAreSkipped() throws {
        let request = "GET /x HTTP/1.1\r\nHost: y\r\n\r\n"
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("\r\n\r\n" + request)))
        XCTAssertEqual(head.rawPath, "/x")
        XCTAssertEqual(length, 4 + request.utf8.count, "headLength counts the skipped lines")
    }

    func testHeaderLookupIgnoresCaseAndKeepsOrder() throws {
        let text = "GET / HTTP/1.1\r\nX-Tag: one\r\nhost: h\r\nx-tag: two\r\nX-TAG:three\r\nEmpty:\r\n\r\n"
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text)))
        XCTAssertEqual(head.headers["x-tag"], "one")
        XCTAssertEqual(head.headers["X-Tag"], "one")
        XCTAssertEqual(head.headers.values("X-tAG"), ["one", "two", "three"])
        XCTAssertEqual(head.headers["HOST"], "h")
        XCTAssertTrue(head.headers.contains("empty"))
        XCTAssertEqual(head.headers["Empty"], "")
        XCTAssertNil(head.headers["missing"])
        XCTAssertFalse(head.headers.contains("x-ta"))
        XCTAssertEqual(head.headers.map(\.name), ["X-Tag", "host", "x-tag", "X-TAG", "Empty"], "names as sent, in order")
    }

    func testObsTextValuesDecodeAsUTF8OrLatin1() throws {
        var bytes = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Utf8: caf".utf8) + [0xC3, 0xA9] + Array("\r\nX-Latin: caf".utf8)
        bytes += [0xE9] + Array("\r\n\r\n".utf8)
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(bytes)))
        XCTAssertEqual(head.headers["x-utf8"], "café")
        XCTAssertEqual(head.headers["x-latin"], "café")
    }

    func testValueKeepsInnerWhitespaceAndTabs() throws {
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(
            "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: \t a  b\tc \t\r\n\r\n")))
        XCTAssertEqual(head.headers["user-agent"], "a  b\tc")
    }

    func testMethodsAreCaseSensitiveTokens() throws {
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("get / HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(head.method, "get")
        let longest = String(repeating: "M", count: 32)
        XCTAssertEqual(try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("\(longest) / HTTP/1.1\r\nHost: x\r\n\r\n"))).head.method,
                       longest)
    }

    func testExactly100FieldsAndExactlyMaxHeadBytesAreAccepted() throws {
        var text = "GET / HTTP/1.1\r\nHost: x\r\n"
        for i in 0..<99 { text += "X-\(i): v\r\n" }
        text += "\r\n"
        let (head, length) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text)))
        XCTAssertEqual(head.headers.count, 100)
        XCTAssertEqual(try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse(text, maxHeadBytes: length))).length, length)
    }

    func testTargetOf8KiBIsAccepted() throws {
        let path = "/" + String(repeating: "a", count: 8 * 1024 - 1)
        let (head, _) = try XCTUnwrap(XCTUnwrapHead(ParserTestSupport.parse("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")))
        XCTAssertEqual(head.rawPath, path)
    }

    func testErrorStatusesAndMessages() {
        XCTAssertEqual(HTTPParseError.badVersion.status, 505)
        XCTAssertEqual(HTTPParseError.headerTooLarge.status, 431)
        XCTAssertEqual(HTTPParseError.unsupportedTransferEncoding.status, 501)
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, 413)
        let badRequests: [HTTPParseError] = [.badRequestLine, .badHeader, .badContentLength, .conflictingFraming,
                                             .badPercentEncoding, .badChunk]
        for error in badRequests { XCTAssertEqual(error.status, 400, "\(error)") }
        XCTAssertEqual(HTTPParseError.missingHost.status, 400)
        XCTAssertEqual(HTTPParseError.missingHost.message, "Missing Host header.")
        for error in badRequests + [.badVersion, .headerTooLarge, .unsupportedTransferEncoding, .bodyTooLarge] {
            XCTAssertFalse(error.message.isEmpty)
        }
    }

    func testHTTP11NeedsHostAndHTTP10DoesNot() throws {
        XCTAssertParseError("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost)
        XCTAssertParseError("GET / HTTP/1.1\r\n\r\n", .missingHost)
        XCTAssertNotNil(XCTUnwrapHead(ParserTestSupport.parse("GET / HTTP/1.1\r\nHost:\r\n\r\n")), "an empty Host is a Host")
        XCTAssertNotNil(XCTUnwrapHead(ParserTestSupport.parse("GET / HTTP/1.0\r\n\r\n")))
    }

    func testTcharMasksMatchTheGrammar() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for b in 0...255 { XCTAssertEqual(ByteClass.isTchar(UInt8(b)), tchars.contains(UInt8(b)), "byte \(b)") }
    }
}
