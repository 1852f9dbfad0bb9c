import JSON
import XCTest

/// Every error message with its exact position. Expected texts were produced by Python 3.11's
/// `json.loads` (the original service's parser) except where noted.
final class JSONParseErrorTests: XCTestCase {
    /// (document, message, byte offset)
    let pythonCases: [(String, String, Int)] = [
        ("", "Expecting value: line 1 column 1 (char 0)", 0),
        ("   ", "Expecting value: line 1 column 4 (char 3)", 3),
        ("{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", 1),
        ("[", "Expecting value: line 1 column 2 (char 1)", 1),
        ("{\"a\"", "Expecting ':' delimiter: line 1 column 5 (char 4)", 4),
        ("{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)", 5),
        ("{\"a\":}", "Expecting value: line 1 column 6 (char 5)", 5),
        ("{\"a\":1 \"b\":2}", "Expecting ',' delimiter: line 1 column 8 (char 7)", 7),
        ("[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)", 3),
        ("[1,]", "Expecting value: line 1 column 4 (char 3)", 3),
        ("{\"a\":1,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)", 7),
        ("{1:2}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", 1),
        ("\"abc", "Unterminated string starting at: line 1 column 1 (char 0)", 0),
        ("\"ab\u{1}c\"", "Invalid control character at: line 1 column 4 (char 3)", 3),
        ("\"a\\x\"", "Invalid \\escape: line 1 column 3 (char 2)", 2),
        ("\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)", 2),
        ("\"\\u12G4\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)", 2),
        ("\"\\u1234", "Invalid \\uXXXX escape: line 1 column 3 (char 2)", 2),
        ("\"\\", "Unterminated string starting at: line 1 column 1 (char 0)", 0),
        ("\"\\u", "Invalid \\uXXXX escape: line 1 column 3 (char 2)", 2),
        ("1 2", "Extra data: line 1 column 3 (char 2)", 2),
        ("01", "Extra data: line 1 column 2 (char 1)", 1),
        ("-", "Expecting value: line 1 column 1 (char 0)", 0),
        ("-a", "Expecting value: line 1 column 1 (char 0)", 0),
        ("+1", "Expecting value: line 1 column 1 (char 0)", 0),
        ("1.", "Extra data: line 1 column 2 (char 1)", 1),
        ("1.e5", "Extra data: line 1 column 2 (char 1)", 1),
        ("1e", "Extra data: line 1 column 2 (char 1)", 1),
        ("1e+", "Extra data: line 1 column 2 (char 1)", 1),
        ("nul", "Expecting value: line 1 column 1 (char 0)", 0),
        ("nulll", "Extra data: line 1 column 5 (char 4)", 4),
        ("tru", "Expecting value: line 1 column 1 (char 0)", 0),
        ("True", "Expecting value: line 1 column 1 (char 0)", 0),
        ("[.5]", "Expecting value: line 1 column 2 (char 1)", 1),
        ("[-]", "Expecting value: line 1 column 2 (char 1)", 1),
        ("[1,\n 2,\n x]", "Expecting value: line 3 column 2 (char 9)", 9),
        ("[\"\u{e9}\", x]", "Expecting value: line 1 column 7 (char 6)", 7),
        ("\n\n  [", "Expecting value: line 3 column 4 (char 5)", 5),
        ("\"\\ud800\\u12G4\"", "Invalid \\uXXXX escape: line 1 column 9 (char 8)", 8),
        ("[1}", "Expecting ',' delimiter: line 1 column 3 (char 2)", 2),
        ("{\"a\":1]", "Expecting ',' delimiter: line 1 column 7 (char 6)", 6),
        ("{\"a\":1", "Expecting ',' delimiter: line 1 column 7 (char 6)", 6),
        ("[1", "Expecting ',' delimiter: line 1 column 3 (char 2)", 2),
        ("{ ", "Expecting property name enclosed in double quotes: line 1 column 3 (char 2)", 2),
        ("\"\t\"", "Invalid control character at: line 1 column 2 (char 1)", 1),
        ("{\"a\" : 1 , }", "Expecting property name enclosed in double quotes: line 1 column 12 (char 11)", 11),
        ("{\"\u{65e5}\u{672c}\": \"\u{1f600}\",\r\n \"b\": [1, 2,, 3]}",
         "Expecting value: line 2 column 13 (char 25)", 32),
        ("{\"a\":\n\t\"line\nbreak\"}", "Invalid control character at: line 2 column 7 (char 12)", 12),
        ("{'a': 1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", 1),
        ("[1] ]", "Extra data: line 1 column 5 (char 4)", 4),
        ("{\"a\":1}}", "Extra data: line 1 column 8 (char 7)", 7),
        ("\"\\u00e9\\q\"", "Invalid \\escape: line 1 column 8 (char 7)", 7),
        ("[tru]", "Expecting value: line 1 column 2 (char 1)", 1),
        ("[1.5e]", "Expecting ',' delimiter: line 1 column 5 (char 4)", 4),
        ("{\"a\" \"b\"}", "Expecting ':' delimiter: line 1 column 6 (char 5)", 5),
        ("[ \"x\" , ]", "Expecting value: line 1 column 9 (char 8)", 8),
        ("  \"unterminated\\\"  ", "Unterminated string starting at: line 1 column 3 (char 2)", 2),
    ]

    func testMessagesMatchPythonJSON() {
        for (document, message, offset) in pythonCases {
            XCTAssertEqual(parseError(document), JSONParseError(message: message, offset: offset),
                           "document: \(document.debugDescription)")
        }
    }

    /// Where this parser is deliberately stricter than Python, which accepts these.
    func testStricterThanPython() {
        let cases: [(String, String, Int)] = [
            ("\u{FEFF}[]", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)", 0),
            ("\"\\ud800\"", "Unpaired surrogate in \\uXXXX escape: line 1 column 3 (char 2)", 2),
            ("\"\\udc00\\ud800\"", "Unpaired surrogate in \\uXXXX escape: line 1 column 3 (char 2)", 2),
            ("\"x\\ud83dy\"", "Unpaired surrogate in \\uXXXX escape: line 1 column 4 (char 3)", 3),
            ("\"\\ud83d\\ud83d\"", "Unpaired surrogate in \\uXXXX escape: line 1 column 3 (char 2)", 2),
            ("\"\\ud83d\\n\"", "Unpaired surrogate in \\uXXXX escape: line 1 column 3 (char 2)", 2),
            ("[1, \"\\uDFFF\"]", "Unpaired surrogate in \\uXXXX escape: line 1 column 7 (char 6)", 6),
            // Django REST framework's strict parser rejects the constants Python's json module accepts.
            ("NaN", "Out of range float values are not JSON compliant: 'NaN'", 0),
            ("[Infinity]", "Out of range float values are not JSON compliant: 'Infinity'", 1),
            ("{\"a\": -Infinity}", "Out of range float values are not JSON compliant: '-Infinity'", 6),
        ]
        for (document, message, offset) in cases {
            XCTAssertEqual(parseError(document), JSONParseError(message: message, offset: offset),
                           "document: \(document.debugDescription)")
        }
        // Near misses of the constants are plain syntax errors.
        XCTAssertEqual(parseError("Nan")?.message, "Expecting value: line 1 column 1 (char 0)")
        XCTAssertEqual(parseError("-Inf")?.message, "Expecting value: line 1 column 1 (char 0)")
    }

    func testInvalidUTF8InStrings() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xFF, 0x22], 1),                       // never valid
            ([0x22, 0x61, 0x80, 0x22], 2),                 // lone continuation byte
            ([0x22, 0xC0, 0x80, 0x22], 1),                 // overlong NUL
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),           // overlong '/'
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),           // encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),     // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
            ([0x22, 0xC3, 0x22], 1),                       // truncated by the closing quote
            ([0x22, 0xE2, 0x82], 1),                       // truncated by the end of input
            ([0x22, 0xC3, 0xA9, 0xE2, 0x28, 0xA1, 0x22], 3), // valid é, then a bad continuation
        ]
        for (bytes, offset) in cases {
            XCTAssertEqual(parseError(bytes)?.offset, offset, "bytes: \(bytes)")
            XCTAssertEqual(parseError(bytes)?.message.hasPrefix("Invalid UTF-8 sequence at: line 1 column "), true)
        }
        XCTAssertEqual(parseError([0x22, 0xC3, 0xA9, 0xFF, 0x22])?.message,
                       "Invalid UTF-8 sequence at: line 1 column 3 (char 2)")
        // Outside strings, a non-ASCII byte is simply not a value.
        XCTAssertEqual(parseError([0x5B, 0xFF, 0x5D])?.message, "Expecting value: line 1 column 2 (char 1)")
        // Every valid boundary scalar is accepted.
        for scalar in ["\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"] {
            XCTAssertEqual(try JSONParser.parse("\"\(scalar)\""), .string(scalar))
        }
    }

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNotNil(try JSONParser.parse(ok).arrayValue)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(parseError(tooDeep),
                       JSONParseError(message: "Maximum nesting depth exceeded: line 1 column 65 (char 64)", offset: 64))

        let objects = String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)
        XCTAssertEqual(try JSONParser.parse(objects).objectValue?.count, 1)
        let deepObjects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertEqual(parseError(deepObjects)?.offset, 64 * 5)

        // Mixed nesting counts both kinds.
        let mixed = String(repeating: "[{\"k\":", count: 33) + "0" + String(repeating: "}]", count: 33)
        XCTAssertEqual(parseError(mixed)?.message.hasPrefix("Maximum nesting depth exceeded"), true)

        // Hostile: far deeper than any stack would allow if recursion were unbounded.
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        XCTAssertEqual(parseError(hostile)?.offset, 64)
        let hostileObjects = Array(String(repeating: "{\"\":", count: 100_000).utf8)
        XCTAssertEqual(parseError(hostileObjects)?.offset, 64 * 4)
    }

    func testErrorThroughEveryEntryPoint() {
        let bytes = Array("[1,]".utf8)
        let expected = JSONParseError(message: "Expecting value: line 1 column 4 (char 3)", offset: 3)
        XCTAssertEqual(parseError(bytes), expected)
        let raw = bytes.withUnsafeBytes { raw -> JSONParseError? in
            do throws(JSONParseError) { _ = try JSONParser.parse(raw); return nil } catch { return error }
        }
        XCTAssertEqual(raw, expected)
        // An empty raw buffer has no base address at all.
        XCTAssertThrowsError(try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))) {
            XCTAssertEqual(($0 as? JSONParseError)?.message, "Expecting value: line 1 column 1 (char 0)")
        }
    }

    private func parseError(_ text: String) -> JSONParseError? {
        parseError(Array(text.utf8))
    }

    private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do throws(JSONParseError) {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }
}
