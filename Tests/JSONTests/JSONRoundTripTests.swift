import JSON
import XCTest
import TestSupport

final class JSONRoundTripTests: XCTestCase {
    func testParseOfEncodeIsIdentity() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        let values: [JSONValue] = [
            nil, true, false, 0, -1, 42, .number(JSONNumber(Int64.max)), .number(JSONNumber(Int64.min)),
            .number(JSONNumber(text: "-0")!), .number(JSONNumber(text: "1.5e-300")!),
            .number(JSONNumber(text: "123456789012345678901234567890")!), 0.1, -2.5e10,
            "", "plain", .string(controls), "quote \" backslash \\ slash /", "\u{2028}\u{2029}", "日本 😀 é \u{10FFFF}",
            [], [[]], [[], [[]], []], [1, "two", nil, false, 3.25],
            [:], ["": ""], ["a": ["b": ["c": [1, [2, ["d": nil]]]]]],
            ["dup": 1, "dup": 2],
            ["k\u{1}\"\\\u{2028}": ["nested": true, "list": [[:], [], ""]]],
        ]
        for value in values {
            XCTAssertEqual(try JSONParser.parse(value.encoded), value, "\(value)")
        }
    }

    func testEncodeOfParseIsCompact() throws {
        let cases = [
            (" { \"a\" : [ 1 , 2.50 , -0 , 1E+2 ] ,\n\"b\":{ } } ", #"{"a":[1,2.50,-0,1E+2],"b":{}}"#),
            (#""\u0041\u00e9\ud83d\ude00\/""#, "\"Aé😀/\""),
            (#""\u001F\u2028""#, #""\u001f\u2028""#),
        ]
        for (input, output) in cases {
            XCTAssertEqual(String(decoding: try JSONParser.parse(input).encoded, as: UTF8.self), output)
        }
    }

    /// Random bytes: never a crash; every success re-encodes to an equal value; every error points inside.
    func testFuzzRandomBytes() {
        var rng = SeededRandom(seed: 0x7375_6E61)
        let alphabet = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn\u"#.utf8) + [0x0A, 0x09, 0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xE2, 0xED, 0xF0, 0xFF]
        for _ in 0..<4000 {
            let length = Int(rng.next() % 48)
            var bytes: [UInt8] = []
            let fullRange = rng.next() % 4 == 0
            for _ in 0..<length {
                bytes.append(fullRange ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))])
            }
            check(bytes)
        }
    }

    /// Mutations of valid documents: flips, insertions, deletions, duplications, truncations.
    func testFuzzMutations() {
        let seeds = [
            #"{"name": "Ann", "age": 33, "tags": ["a", "b\n", "\u00e9\ud83d\ude00"], "ok": true, "x": null}"#,
            #"[1, -2.5e-3, 0, {"a": {"b": [[], {}]}}, "日本", false]"#,
            #"{"deep": [[[[[[[[[[1]]]]]]]]]], "esc": "\"\\\/\b\f\n\r\t\u2028"}"#,
            "  \"just a string\"  ",
        ].map { Array($0.utf8) }
        var rng = SeededRandom(seed: 2024)
        for iteration in 0..<6000 {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0..<(1 + rng.next() % 4) {
                guard !bytes.isEmpty else { break }
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 6 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                case 2: bytes.remove(at: at)
                case 3: bytes.insert(contentsOf: bytes[at...].prefix(8), at: at)
                case 4: bytes.removeSubrange(at...)
                default: bytes[at] ^= 1 << (rng.next() % 8)
                }
            }
            check(bytes)
        }
    }

    private func check(_ bytes: [UInt8]) {
        do throws(JSONParseError) {
            let value = try JSONParser.parse(bytes)
            XCTAssertEqual(try JSONParser.parse(value.encoded), value, "bytes: \(bytes)")
        } catch {
            XCTAssertTrue((0...bytes.count).contains(error.offset), "offset \(error.offset) for \(bytes)")
            XCTAssertFalse(error.message.isEmpty)
        }
    }
}
