import JSON
import XCTest

final class JSONWriterTests: XCTestCase {
    func testEscaping() {
        XCTAssertEqual(encodedString("plain"), #""plain""#)
        XCTAssertEqual(encodedString(""), #""""#)
        XCTAssertEqual(encodedString("a\"b\\c/d"), #""a\"b\\c/d""#)
        XCTAssertEqual(encodedString("\n\r\t\u{8}\u{C}"), #""\n\r\t\b\f""#)
        XCTAssertEqual(encodedString("\u{0}\u{1}\u{1F}\u{7F}"), #""\u0000\u0001\u001f"# + "\u{7F}\"")
        // Escapes at the very start and end, and back to back.
        XCTAssertEqual(encodedString("\"\""), #""\"\"""#)
        XCTAssertEqual(encodedString("\nx\n"), #""\nx\n""#)
    }

    func testLineAndParagraphSeparatorsAreEscaped() {
        XCTAssertEqual(encodedString("a\u{2028}b\u{2029}c"), #""a\u2028b\u2029c""#)
        XCTAssertEqual(encodedString("\u{2028}"), #""\u2028""#)
        // Other characters starting with the same lead byte 0xE2 pass through untouched.
        XCTAssertEqual(encodedString("€…\u{2027}\u{202A}→"), "\"€…\u{2027}\u{202A}→\"")
        // Non-ASCII passes through as UTF-8.
        XCTAssertEqual(encodedString("日本語 😀 é"), "\"日本語 😀 é\"")
    }

    func testKeysAreEscapedBothWays() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("q\"uote")
        writer.int(1)
        writer.key("line\u{2028}" as String)
        writer.int(2)
        writer.endObject()
        XCTAssertEqual(text(writer), #"{"q\"uote":1,"line\u2028":2}"#)
    }

    func testCommasInNestedContainers() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.int(1)
        writer.key("empty")
        writer.beginObject()
        writer.endObject()
        writer.key("list")
        writer.beginArray()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.endArray()
        writer.key("b")
        writer.null()
        writer.endObject()
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.int(1)
        writer.beginArray()
        writer.int(2)
        writer.endArray()
        writer.int(3)
        writer.endArray()
        writer.string("s")
        writer.endArray()
        writer.key("last")
        writer.bool(false)
        writer.endObject()
        XCTAssertEqual(text(writer), #"{"id":1,"empty":{},"list":[{"a":[],"b":null},{},[1,[2],3],"s"],"last":false}"#)
    }

    func testScalars() {
        var writer = JSONWriter()
        writer.beginArray()
        for v in [0, 9, 10, -1, -10, 1234567890, Int.max, Int.min] { writer.int(v) }
        writer.int(nil as Int?)
        writer.int(5 as Int?)
        writer.string(nil as String?)
        writer.string("x" as String?)
        writer.bool(true)
        writer.double(1.5)
        writer.double(0.1)
        writer.double(3)
        writer.double(1e-5)
        writer.double(-2e20)
        writer.double(.nan)
        writer.double(.infinity)
        writer.double(-.infinity)
        writer.raw(Array(#"{"pre":"encoded"}"#.utf8))
        writer.number(JSONNumber(text: "123456789012345678901234567890")!)
        writer.endArray()
        XCTAssertEqual(text(writer), "[0,9,10,-1,-10,1234567890,9223372036854775807,-9223372036854775808,"
                       + #"null,5,null,"x",true,1.5,0.1,3.0,1e-05,-2e+20,null,null,null,{"pre":"encoded"},"#
                       + "123456789012345678901234567890]")
    }

    func testValueAndEncoded() {
        let value: JSONValue = ["a": [1, "b", nil, true], "c": ["d": 2.5], "e": [:], "f": []]
        XCTAssertEqual(String(decoding: value.encoded, as: UTF8.self), #"{"a":[1,"b",null,true],"c":{"d":2.5},"e":{},"f":[]}"#)
        var writer = JSONWriter()
        writer.beginArray()
        writer.value(value)
        writer.value(.string("z"))
        writer.endArray()
        XCTAssertEqual(text(writer), #"[{"a":[1,"b",null,true],"c":{"d":2.5},"e":{},"f":[]},"z"]"#)
    }

    func testResetStartsAFreshDocument() {
        var writer = JSONWriter(capacity: 8)
        writer.beginArray()
        writer.int(1)
        writer.reset()
        XCTAssertEqual(writer.bytes, [])
        writer.beginObject()
        writer.key("k")
        writer.string("v")
        writer.endObject()
        XCTAssertEqual(text(writer), #"{"k":"v"}"#)
    }

    func testLongStringsWithScatteredEscapes() throws {
        // Runs longer than any small buffer, escapes in between: output must parse back to the input.
        var source = ""
        for i in 0..<500 {
            source += String(repeating: "é", count: i % 7) + "abc\u{2028}" + (i % 3 == 0 ? "\"" : "\u{1}") + "😀"
        }
        let bytes = JSONValue.string(source).encoded
        XCTAssertEqual(try JSONParser.parse(bytes), .string(source))
        XCTAssertFalse(bytes.contains(0x01), "control characters never appear raw")
    }

    func testIntegersOfEveryLength() {
        var values: [Int] = [0, 1, -1, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
        }
        for v in values {
            var writer = JSONWriter()
            writer.int(v)
            XCTAssertEqual(text(writer), String(v))
        }
    }

    /// The word-at-a-time scan must find an escape wherever it sits: every length, every position.
    func testEscapeAtEveryPositionOfEveryLength() {
        let specials: [(String, String)] = [("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{1}", #"\u0001"#),
                                            ("\u{2028}", #"\u2028"#), ("é", "é"), ("…", "…")]
        for length in 0..<40 {
            for position in 0...length {
                for (special, escaped) in specials {
                    let prefix = String(repeating: "a", count: position)
                    let suffix = String(repeating: "b", count: length - position)
                    XCTAssertEqual(encodedString(prefix + special + suffix), "\"" + prefix + escaped + suffix + "\"",
                                   "length \(length) position \(position)")
                }
            }
            XCTAssertEqual(encodedString(String(repeating: "x", count: length)), "\"" + String(repeating: "x", count: length) + "\"")
        }
    }

    private func encodedString(_ s: String) -> String {
        var writer = JSONWriter()
        writer.string(s)
        return text(writer)
    }

    private func text(_ writer: JSONWriter) -> String {
        String(decoding: writer.bytes, as: UTF8.self)
    }
}
