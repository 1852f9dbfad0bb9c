import XCTest
@testable import Security

final class SealedNumbersTests: XCTestCase {
    let sealer = SealedNumbers(key: Array("0123456789abcdef".utf8))

    func testRoundTripAndOpacity() {
        for numbers: [Int64] in [[1], [1_733_589_000_123_456, 42], [1, -5, Int64.max, Int64.min]] {
            let text = sealer.seal(numbers)
            XCTAssertEqual(sealer.open(Substring(text)), numbers)
            XCTAssertFalse(numbers.contains { text.contains(String($0)) && String($0).count > 2 }, text)
            XCTAssertTrue(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe: \(text)")
        }
        XCTAssertEqual(sealer.seal([7, 8]), sealer.seal([7, 8]), "the same key gives the same text")
    }

    func testForeignOrAlteredTextOpensToNil() {
        let text = sealer.seal([1_733_589_000_123_456, 42])
        XCTAssertNil(SealedNumbers(key: Array("another-key-1234".utf8)).open(Substring(text)))
        var bytes = Array(text.utf8)
        bytes[3] = bytes[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertNil(sealer.open(Substring(String(decoding: bytes, as: UTF8.self))))
        for junk in ["", "zz9", "a", String(repeating: "A", count: 200), "!!!!", "AAAAAAAAAAAAAAAAAAAAAA"] {
            XCTAssertNil(sealer.open(Substring(junk)), junk)
        }
    }
}
