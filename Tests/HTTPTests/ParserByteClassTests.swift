import XCTest
@testable import HTTP

/// The word-at-a-time byte checks agree with their byte-by-byte definitions for every byte value at
/// every position and length.
final class ParserByteClassTests: XCTestCase {
    private func withView(_ bytes: [UInt8], _ body: (ByteView) -> Void) {
        bytes.withUnsafeBytes { body(ByteView($0)!) }
    }

    func testVisibleASCIIAndFieldValueChecksMatchTheDefinitions() {
        for length in 1...19 {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: 0x61, count: length + 2)
                    bytes[1 + position] = UInt8(value)
                    let b = UInt8(value)
                    withView(bytes) { view in
                        XCTAssertEqual(view.isVisibleASCII(1, 1 + length), b >= 0x21 && b <= 0x7E,
                                       "visible: value \(value) at \(position) of \(length)")
                        let expected: Bool? = (b == 0x09 || (b >= 0x20 && b != 0x7F)) ? (b >= 0x80) : nil
                        XCTAssertEqual(view.fieldValueHasHighBytes(1, 1 + length), expected,
                                       "field: value \(value) at \(position) of \(length)")
                    }
                }
            }
        }
        withView([0x61]) { view in
            XCTAssertTrue(view.isVisibleASCII(0, 0))
            XCTAssertEqual(view.fieldValueHasHighBytes(0, 0), false)
        }
    }

    func testCaseInsensitiveComparisonMatchesTheDefinition() {
        let literal: StaticString = "transfer-encoding"
        let lower = Array("transfer-encoding".utf8)
        for position in 0..<lower.count {
            for value in 0...255 {
                var bytes = lower
                bytes[position] = UInt8(value)
                let folded = UInt8(value) >= 0x41 && UInt8(value) <= 0x5A ? UInt8(value) | 0x20 : UInt8(value)
                withView(bytes) { view in
                    XCTAssertEqual(view.equalsIgnoringCase(0, bytes.count, literal), folded == lower[position],
                                   "value \(value) at \(position)")
                }
            }
        }
        withView(Array("KEEP-ALIVE close Host".utf8)) { view in
            XCTAssertTrue(view.equalsIgnoringCase(0, 10, "keep-alive"))
            XCTAssertTrue(view.equalsIgnoringCase(11, 16, "close"))
            XCTAssertTrue(view.equalsIgnoringCase(17, 21, "host"))
            XCTAssertFalse(view.equalsIgnoringCase(0, 9, "keep-alive"))
            XCTAssertFalse(view.equalsIgnoringCase(11, 16, "clos"))
        }
    }
}
