import XCTest
import Foundation
import Platform
import TestSupport

/// Platform's stand-ins give the same output as the full-Foundation calls they replaced in Sources
/// (tests may use full Foundation: only the `tsuna` binary must do without it).
final class FoundationReplacementsTests: XCTestCase {
    func testFixedMatchesStringFormat() {
        var random = SeededRandom(seed: 13)
        var values: [Double] = [0, -0.0, 0.05, 0.15, 0.25, 0.35, 1.005, 2.675, 9.95, 99.95, 1023.95, 1e-9, 123_456_789.125,
                                -1.25, .infinity, -.infinity, .nan, Double.greatestFiniteMagnitude]
        for _ in 0..<2000 { values.append(Double(random.next() % 10_000_000) / Double(1 + random.next() % 1000)) }
        for value in values {
            XCTAssertEqual(CFormat.fixed(value, digits: 1), String(format: "%.1f", value), "\(value)")
            XCTAssertEqual(CFormat.fixed(value, digits: 2), String(format: "%.2f", value), "\(value)")
        }
        XCTAssertEqual(CFormat.fixed(1e300, digits: 2), String(format: "%.2f", 1e300), "longer than the first buffer")
        for byte in UInt8.min...UInt8.max {
            XCTAssertEqual(CFormat.hex2(byte), String(format: "%02x", byte))
        }
    }

    func testTrimmingMatchesFoundation() {
        let samples = ["", " ", "\t", "a", " a ", "\ta b\t", "  bytes=0-1 ", "\u{2003}x\u{3000}", "\u{A0}x\u{A0}",
                       "x\u{85}", "\u{85}x\u{85}", "\n x \r\n", "\u{2028}x\u{2029}", " \u{301}a ", "é ", " ü",
                       "\u{1F600} ", "\u{FEFF}x", " \u{200B}x", "\u{0B}x\u{0C}", "\u{1680}x\u{202F}",
                       "\u{180E}x\u{180E}", "\u{205F}x\u{2007}", "\u{2000}\u{200A}x\u{200C}", "\u{2029}", "\u{3000}"]
        for sample in samples {
            XCTAssertEqual(sample.trimmingWhitespace(), sample.trimmingCharacters(in: .whitespaces),
                           sample.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
            XCTAssertEqual(sample.trimmingWhitespaceAndNewlines(), sample.trimmingCharacters(in: .whitespacesAndNewlines),
                           sample.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
            let sub = Substring(sample)
            XCTAssertEqual(sub.trimmingWhitespace(), sub.trimmingCharacters(in: .whitespaces))
        }
    }

    func testPathsMatchFoundation() {
        for path in ["/a/b/c", "/a/b/", "a/b", "a//b", "/a", "/", "//a", "", "/tmp/x/db.bak", "a/b//"] {
            XCTAssertEqual(Paths.deletingLastComponent(path), (path as NSString).deletingLastPathComponent, path)
        }
        // NSString itself traps on a bare name here; its documented answer is "".
        XCTAssertEqual(Paths.deletingLastComponent("backup.db"), "")
        XCTAssertEqual(Paths.temporaryDirectory(), NSTemporaryDirectory())
    }
}
