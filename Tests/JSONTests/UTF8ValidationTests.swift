import JSON
import XCTest

/// The one UTF-8 validator (RFC 3629).
final class UTF8ValidationTests: XCTestCase {
    func testUTF8Validation() {
        func valid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } }
        XCTAssertTrue(valid(Array("plain ascii".utf8)))
        XCTAssertTrue(valid(Array("é € 🔑 \u{10FFFF}".utf8)))
        XCTAssertFalse(valid([0xC0, 0xAF]), "overlong")
        XCTAssertFalse(valid([0xE0, 0x80, 0xAF]), "overlong")
        XCTAssertFalse(valid([0xED, 0xA0, 0x80]), "surrogate")
        XCTAssertFalse(valid([0xF4, 0x90, 0x80, 0x80]), "past U+10FFFF")
        XCTAssertFalse(valid([0xE2, 0x82]), "truncated")
        XCTAssertFalse(valid([0x80]), "lone continuation")
        XCTAssertFalse(valid([0xE2, 0x28, 0xA1]), "bad continuation")
    }
}
