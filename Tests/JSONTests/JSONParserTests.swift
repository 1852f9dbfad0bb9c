import JSON
import XCTest

final class JSONParserTests: XCTestCase {
    func testScalars() throws {
        XCTAssertEqual(try JSONParser.parse("null"), .null)
        XCTAssertEqual(try JSONParser.parse(" \t\r\ntrue\n"), .bool(true))
        XCTAssertEqual(try JSONParser.parse("false"), .bool(false))
        XCTAssertEqual(try JSONParser.parse("\"hi\""), .string("hi"))
        XCTAssertEqual(try JSONParser.parse("\"\""), .string(""))
        XCTAssertEqual(try JSONParser.parse("-12.5e+3").numberValue?.text, "-12.5e+3")
        XCTAssertTrue(try JSONParser.parse("null").isNull)
        XCTAssertFalse(try JSONParser.parse("0").isNull)
    }

    func testContainersKeepOrder() throws {
        let value = try JSONParser.parse(#"{"z": [1, "two", null, {"x": false}], "a": {}, "m": []}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
        XCTAssertEqual(value["z"]?[0]?.int64Value, 1)
        XCTAssertEqual(value["z"]?[1]?.stringValue, "two")
        XCTAssertEqual(value["z"]?[2]?.isNull, true)
        XCTAssertEqual(value["z"]?[3]?["x"]?.boolValue, false)
        XCTAssertNil(value["z"]?[4])
        XCTAssertNil(value["z"]?[-1])
        XCTAssertEqual(value["a"]?.objectValue?.isEmpty, true)
        XCTAssertEqual(value["m"]?.arrayValue, [])
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["z"]?["x"], "key lookup on an array is nil")
        XCTAssertNil(value[0], "index lookup on an object is nil")
    }

    func testTrueAndOneAreDistinguishable() throws {
        let value = try JSONParser.parse(#"{"flag": true, "count": 1, "zero": 0, "off": false}"#)
        XCTAssertEqual(value["flag"]?.boolValue, true)
        XCTAssertNil(value["flag"]?.int64Value)
        XCTAssertNil(value["flag"]?.numberValue)
        XCTAssertEqual(value["count"]?.int64Value, 1)
        XCTAssertNil(value["count"]?.boolValue)
        XCTAssertNil(value["zero"]?.boolValue)
        XCTAssertEqual(value["off"]?.boolValue, false)
        XCTAssertNotEqual(value["flag"], value["count"])
    }

    func testDuplicateKeysLastWins() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        XCTAssertEqual(value["a"]?.int64Value, 3)
        XCTAssertEqual(value.objectValue?.count, 3)
        XCTAssertEqual(value.objectValue?.keys, ["a", "b", "a"])
        XCTAssertTrue(value.objectValue?.contains("b") ?? false)

        var object = try XCTUnwrap(value.objectValue)
        object["a"] = .string("x")
        XCTAssertEqual(object.members.map(\.value), [1, 2, "x"])
        object["c"] = true
        XCTAssertEqual(object.keys, ["a", "b", "a", "c"])
        object["a"] = nil
        XCTAssertEqual(object.keys, ["b", "c"])
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try JSONParser.parse(#""\" \\ \/ \b \f \n \r \t""#), .string("\" \\ / \u{8} \u{C} \n \r \t"))
        XCTAssertEqual(try JSONParser.parse(#""\u00e9\u00C9\u20ac\u0041""#), .string("éÉ€A"))
        XCTAssertEqual(try JSONParser.parse(#""nul\u0000byte""#), .string("nul\u{0}byte"))
        // Surrogate pairs, lower and upper case, alone and between text.
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSONParser.parse(#""a\uD834\uDD1Eb""#), .string("a𝄞b"))
        XCTAssertEqual(try JSONParser.parse(#""\udbff\udfff""#), .string("\u{10FFFF}"))
        // Raw UTF-8 passes through; escapes and raw text mix.
        XCTAssertEqual(try JSONParser.parse("\"日本\\n語 😀\""), .string("日本\n語 😀"))
        // Keys are decoded the same way.
        XCTAssertEqual(try JSONParser.parse(#"{"k\u00e9y\n": 1}"#).objectValue?.keys, ["kéy\n"])
        // Several escaped strings in one document reuse the decoding buffer without leaking into each other.
        XCTAssertEqual(try JSONParser.parse(#"["long\tvalue here", "\n", "plain", "x\"y"]"#),
                       ["long\tvalue here", "\n", "plain", "x\"y"])
    }

    /// The word-at-a-time string scan must stop exactly wherever a quote, escape, control byte or
    /// non-ASCII byte sits: every length, every position.
    func testStringScanAtEveryPosition() throws {
        for length in 0..<40 {
            for position in 0...length {
                let prefix = String(repeating: "a", count: position)
                let suffix = String(repeating: "b", count: length - position)
                XCTAssertEqual(try JSONParser.parse("\"" + prefix + "\\n" + suffix + "\""), .string(prefix + "\n" + suffix))
                XCTAssertEqual(try JSONParser.parse("\"" + prefix + "é😀" + suffix + "\""), .string(prefix + "é😀" + suffix))
                XCTAssertEqual(try JSONParser.parse("[\"" + prefix + "\", \"" + suffix + "\"]"), [.string(prefix), .string(suffix)])
                do {
                    _ = try JSONParser.parse("\"" + prefix + "\u{1}" + suffix + "\"")
                    XCTFail("control character accepted")
                } catch {
                    XCTAssertEqual(error.offset, position + 1)
                }
            }
        }
    }

    func testNumbers() throws {
        func number(_ text: String) throws -> JSONNumber {
            try XCTUnwrap(JSONParser.parse(text).numberValue, text)
        }
        XCTAssertEqual(try number("0").int64, 0)
        XCTAssertEqual(try number("-0").int64, 0)
        XCTAssertTrue(try number("-0").isInteger)
        XCTAssertEqual(try number("9223372036854775807").int64, Int64.max)
        XCTAssertEqual(try number("-9223372036854775808").int64, Int64.min)
        // Overflow: no exact integer, but the double and the text survive.
        let big = try number("9223372036854775808")
        XCTAssertNil(big.int64)
        XCTAssertTrue(big.isInteger)
        XCTAssertEqual(big.double, 9223372036854775808.0)
        XCTAssertEqual(big.text, "9223372036854775808")
        XCTAssertNil(try number("-9223372036854775809").int64)
        let huge = try number(String(repeating: "9", count: 400))
        XCTAssertNil(huge.int64)
        XCTAssertNil(huge.double, "beyond Double's range")
        XCTAssertEqual(try number("123456789012345678901234567890").double, 1.2345678901234568e29)
        // Fractions and exponents are not integers, even when integral.
        for text in ["3.0", "3e2", "3E2", "-1.5", "1e-7", "0.0"] {
            XCTAssertFalse(try number(text).isInteger, text)
            XCTAssertNil(try number(text).int64, text)
        }
        XCTAssertEqual(try number("3e2").double, 300)
        XCTAssertEqual(try number("-1.25E-2").double, -0.0125)
        XCTAssertEqual(try number("1e400").double, nil)
        XCTAssertEqual(try number("1e-400").double, 0)
    }

    func testNumberInitialisers() {
        XCTAssertEqual(JSONNumber(42).text, "42")
        XCTAssertEqual(JSONNumber(Int64.min).int64, Int64.min)
        XCTAssertEqual(JSONNumber(0.5)?.text, "0.5")
        XCTAssertNil(JSONNumber(Double.nan))
        XCTAssertNil(JSONNumber(-Double.infinity))
        XCTAssertEqual(JSONNumber(text: "-1.5e3")?.double, -1500)
        for bad in ["", "-", "+1", "01", "1.", ".5", "1e", "NaN", "1 ", " 1", "0x10", "1.5.2"] {
            XCTAssertNil(JSONNumber(text: bad), bad)
        }
    }

    func testEntryPointsAgree() throws {
        let text = #"{"a": [1, 2.5, "é"]}"#
        let bytes = Array(text.utf8)
        let fromString = try JSONParser.parse(text)
        XCTAssertEqual(try JSONParser.parse(bytes), fromString)
        try bytes.withUnsafeBytes { XCTAssertEqual(try JSONParser.parse($0), fromString) }
        try bytes.withUnsafeBufferPointer { XCTAssertEqual(try JSONParser.parse($0), fromString) }
    }

    func testLiteralsBuildTheSameTreeAsParsing() throws {
        let built: JSONValue = ["id": 7, "name": "Ann", "ratio": 0.5, "tags": ["x", nil], "ok": true]
        XCTAssertEqual(try JSONParser.parse(#"{"id":7,"name":"Ann","ratio":0.5,"tags":["x",null],"ok":true}"#), built)
        let infinite: JSONValue = .init(floatLiteral: .infinity)
        XCTAssertEqual(infinite, .null)
    }
}
