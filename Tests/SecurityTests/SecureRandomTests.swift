import XCTest
import Security

final class SecureRandomTests: XCTestCase {
    func testBytesHaveRequestedLengthAndDiffer() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
        XCTAssertEqual(SecureRandom.bytes(-3), [])
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
    }

    func testUUIDv4Format() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let uuid = SecureRandom.uuidV4()
            let chars = Array(uuid)
            XCTAssertEqual(chars.count, 36)
            for (i, c) in chars.enumerated() {
                if [8, 13, 18, 23].contains(i) {
                    XCTAssertEqual(c, "-")
                } else {
                    XCTAssertTrue("0123456789abcdef".contains(c), "\(uuid) has \(c)")
                }
            }
            XCTAssertEqual(chars[14], "4", "version nibble")
            XCTAssertTrue("89ab".contains(chars[19]), "variant nibble in \(uuid)")
            seen.insert(uuid)
        }
        XCTAssertEqual(seen.count, 200)
    }

    func testTokenIsUnpaddedBase64URL() {
        let token = SecureRandom.token(bytes: 32)
        XCTAssertEqual(token.count, 43)
        XCTAssertTrue(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        XCTAssertEqual(Base64URL.decode(Substring(token))?.count, 32)
        XCTAssertNotEqual(token, SecureRandom.token(bytes: 32))
    }

    func testAlphanumericUsesWholeAlphabetOnly() {
        let s = SecureRandom.alphanumeric(5000)
        XCTAssertEqual(s.count, 5000)
        XCTAssertTrue(s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        XCTAssertEqual(Set(s).count, 62, "5000 uniform draws cover all 62 symbols")
        XCTAssertEqual(SecureRandom.alphanumeric(0), "")
    }
}
