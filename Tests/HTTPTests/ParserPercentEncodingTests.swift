import XCTest
@testable import HTTP

/// Percent-decoding, form parsing, and the header list's own operations.
final class ParserPercentEncodingTests: XCTestCase {
    func testDecodeValid() {
        XCTAssertEqual(PercentEncoding.decode("plain", plusAsSpace: false), "plain")
        XCTAssertEqual(PercentEncoding.decode("a%20b%2Fc%2f", plusAsSpace: false), "a b/c/")
        XCTAssertEqual(PercentEncoding.decode("a+b", plusAsSpace: false), "a+b")
        XCTAssertEqual(PercentEncoding.decode("a+b%2B", plusAsSpace: true), "a b+")
        XCTAssertEqual(PercentEncoding.decode("", plusAsSpace: true), "")
        XCTAssertEqual(PercentEncoding.decode("%41%42", plusAsSpace: false), "AB")
    }

    func testDecodeUTF8() {
        XCTAssertEqual(PercentEncoding.decode("caf%C3%A9", plusAsSpace: false), "café")
        XCTAssertEqual(PercentEncoding.decode("%E2%9C%93%20ok", plusAsSpace: false), "✓ ok")
        XCTAssertEqual(PercentEncoding.decode("déjà%20vu", plusAsSpace: false), "déjà vu", "raw UTF-8 passes through")
        XCTAssertNil(PercentEncoding.decode("caf%E9", plusAsSpace: false), "Latin-1 escape is not UTF-8")
        XCTAssertNil(PercentEncoding.decode("%C3", plusAsSpace: false), "truncated sequence")
        XCTAssertNil(PercentEncoding.decode("%C0%AF", plusAsSpace: false), "overlong encoding")
        XCTAssertNil(PercentEncoding.decode("%ED%A0%80", plusAsSpace: false), "surrogate")
    }

    func testDecodeInvalidEscapes() {
        for bad in ["%", "%4", "a%zz", "%G0", "%0G", "abc%2", "%%41"] {
            XCTAssertNil(PercentEncoding.decode(Substring(bad), plusAsSpace: false), bad)
            XCTAssertFalse(PercentEncoding.isValid(Substring(bad)), bad)
        }
        for good in ["", "abc", "%41", "a%2fb%2F", "100%25", "+"] {
            XCTAssertTrue(PercentEncoding.isValid(Substring(good)), good)
        }
    }

    func testDecodeWorksOnSubstringsOfLargerStrings() {
        let whole = "x=caf%C3%A9&y=2"
        let value = whole.dropFirst(2).prefix(9)
        XCTAssertEqual(PercentEncoding.decode(value, plusAsSpace: true), "café")
        XCTAssertTrue(PercentEncoding.isValid(whole.dropFirst(5).prefix(6)))
        XCTAssertFalse(PercentEncoding.isValid(whole.dropFirst(5).prefix(2)), "'%C' cut short")
    }

    func testParseForm() throws {
        let form = try XCTUnwrap(PercentEncoding.parseForm("a=1&b=&c"))
        XCTAssertEqual(form.map(\.0), ["a", "b", "c"])
        XCTAssertEqual(form.map(\.1), ["1", "", ""])
        let decoded = try XCTUnwrap(PercentEncoding.parseForm("na+me=J%C3%BCrgen+M&x=a%3Db=c&&y=%26"))
        XCTAssertEqual(decoded.map(\.0), ["na me", "x", "y"])
        XCTAssertEqual(decoded.map(\.1), ["Jürgen M", "a=b=c", "&"])
        XCTAssertEqual(try XCTUnwrap(PercentEncoding.parseForm("")).count, 0)
        XCTAssertEqual(try XCTUnwrap(PercentEncoding.parseForm("=v")).map(\.0), [""])
        XCTAssertNil(PercentEncoding.parseForm("a=1&b=%zz"))
        XCTAssertNil(PercentEncoding.parseForm("a%=1"))
        XCTAssertNil(PercentEncoding.parseForm("a=%FF"))
    }

    func testHeadersAddReplaceAndRemove() {
        var headers = HTTPHeaders([("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
        headers.add("set-cookie", "b=2")
        XCTAssertEqual(headers.count, 3)
        XCTAssertEqual(headers.values("SET-COOKIE"), ["a=1", "b=2"])
        headers.replaceOrAdd("SET-Cookie", "c=3")
        XCTAssertEqual(headers.values("set-cookie"), ["c=3"])
        XCTAssertEqual(headers.map(\.name), ["Content-Type", "Set-Cookie"], "the first occurrence keeps its place and name")
        headers.replaceOrAdd("Cache-Control", "no-store")
        XCTAssertEqual(headers["cache-control"], "no-store")
        XCTAssertEqual(headers.count, 3)
        headers.remove("content-type")
        XCTAssertFalse(headers.contains("Content-Type"))
        XCTAssertEqual(headers.count, 2)
        XCTAssertTrue(HTTPHeaders().isEmpty)
        XCTAssertNil(HTTPHeaders()["x"])
        XCTAssertFalse(HTTPHeaders.namesMatch("a-b", "A_B"))
        XCTAssertFalse(HTTPHeaders.namesMatch("é", "É"), "only ASCII case is folded")
    }
}
