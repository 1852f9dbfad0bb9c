import XCTest
import JSON

/// The reader as a streaming scanner (JWT headers and claims): strict, bounded, never trapping.
final class JSONStreamingReaderTests: XCTestCase {
    /// Reads `{"v": <value>}` with `read`, or nil if the reader rejects it anywhere.
    func scan<T>(_ value: String, _ read: (inout JSONReader) throws(JSONParseError) -> T) -> T? {
        let json = Array(#"{"v":"#.utf8) + Array(value.utf8) + [UInt8(ascii: "}")]
        return json.withUnsafeBufferPointer { buffer -> T? in
            do throws(JSONParseError) {
                var scanner = JSONReader(buffer)
                try scanner.beginObject()
                guard try scanner.nextKey() == "v" else { return nil }
                let result = try read(&scanner)
                guard try scanner.nextKey() == nil else { return nil }
                try scanner.finish()
                return result
            } catch {
                return nil
            }
        }
    }

    func string(_ v: String) -> String? { scan(v) { (s: inout JSONReader) throws(JSONParseError) in try s.readString() } }
    func integer(_ v: String) -> Int64? { scan(v) { (s: inout JSONReader) throws(JSONParseError) in try s.readInteger() } }
    func skips(_ v: String) -> Bool { scan(v) { (s: inout JSONReader) throws(JSONParseError) in try s.skipValue() } != nil }

    func testStrings() {
        XCTAssertEqual(string(#""plain""#), "plain")
        XCTAssertEqual(string(#""""#), "")
        XCTAssertEqual(string(#""a\"b\\c\/d\b\f\n\r\t""#), "a\"b\\c/d\u{8}\u{c}\n\r\t")
        XCTAssertEqual(string(#""\u00e9\u20AC""#), "é€")
        XCTAssertEqual(string(#""\ud83d\udd11""#), "🔑")
        XCTAssertEqual(string(#""raw é 🔑""#), "raw é 🔑")
        XCTAssertEqual(string(#""\u0000""#), "\u{0}")
        for bad in [#""\ud83d""#, #""\udd11""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\u12G4""#, #""\u12""#,
                    #""\x""#, #""unterminated"#, "\"tab\there\"", #"'single'"#, "12", "null"] {
            XCTAssertNil(string(bad), bad)
            XCTAssertFalse(bad.hasPrefix("\"") && skips(bad), "skip accepted \(bad)")
        }
    }

    func testIntegers() {
        XCTAssertEqual(integer("0"), 0)
        XCTAssertEqual(integer("-0"), 0)
        XCTAssertEqual(integer("1700000000"), 1_700_000_000)
        XCTAssertEqual(integer("-42"), -42)
        XCTAssertEqual(integer("9223372036854775807"), Int64.max)
        XCTAssertEqual(integer("-9223372036854775808"), Int64.min)
        XCTAssertEqual(integer("12.99"), 12)
        XCTAssertEqual(integer("-12.99"), -12)
        XCTAssertEqual(integer("1.5e3"), 1500)
        XCTAssertEqual(integer("15E-1"), 1)
        for bad in ["9223372036854775808", "-9223372036854775809", "1e19", "-1e19", "1e400", "01", "-", "+1",
                    "1.", ".5", "1e", "1e+", "0x10", "\"1\"", "true", String(repeating: "9", count: 3000)] {
            XCTAssertNil(integer(bad), bad)
        }
    }

    func testSkipsAnyValidValue() {
        for good in ["null", "true", "false", "0", "-1.5e+10", #""s\u0041""#, "[]", "{}", " [ 1 , [ ] , { } ] ",
                     #"{"a":{"b":[null,{"c":"d"}]},"e":[true,false]}"#,
                     String(repeating: "[", count: 64) + String(repeating: "]", count: 64)] {
            XCTAssertTrue(skips(good), good)
        }
        for bad in ["nul", "tru", "True", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
                    "[", "{", "]", "-", "01", "1.e5", "NaN", "Infinity", "",
                    String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
                    String(repeating: "[", count: 100_000)] {
            XCTAssertFalse(skips(bad), bad)
        }
    }

    func testObjectShape() {
        func members(_ json: String) -> [String]? {
            Array(json.utf8).withUnsafeBufferPointer { buffer -> [String]? in
                do throws(JSONParseError) {
                    var scanner = JSONReader(buffer)
                    try scanner.beginObject()
                    var keys = [String]()
                    while let key = try scanner.nextKey() {
                        keys.append(key)
                        try scanner.skipValue()
                    }
                    try scanner.finish()
                    return keys
                } catch {
                    return nil
                }
            }
        }
        XCTAssertEqual(members("{}"), [])
        XCTAssertEqual(members(" {\n\"a\" : 1 ,\t\"b\":[2]} \r\n"), ["a", "b"])
        for bad in ["", "[]", "{", "{,}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\" 1}", "{1:2}", "{} {}", "{}x"] {
            XCTAssertNil(members(bad), bad)
        }
        XCTAssertNil([UInt8]([0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D]).withUnsafeBufferPointer { buffer -> [String]? in
            var reader = JSONReader(buffer)
            do throws(JSONParseError) {
                try reader.beginObject()
                return [try reader.nextKey() ?? ""]
            } catch {
                return nil
            }
        }, "invalid UTF-8 in a key is rejected")
    }
}
