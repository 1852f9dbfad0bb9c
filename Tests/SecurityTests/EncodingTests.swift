import XCTest
@testable import Security

final class EncodingTests: XCTestCase {
    func testBase64URLRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64URL.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64URL.decode(Substring(encoded)), Array(plain.utf8))
        }
    }

    func testBase64URLUsesURLAlphabet() {
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF, 0xBF]), "-_-_")
        XCTAssertEqual(Base64URL.decode("-_-_"), [0xFB, 0xFF, 0xBF])
        XCTAssertNil(Base64URL.decode("+/+/"))
    }

    func testBase64URLRoundTripsEveryLength() {
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            XCTAssertEqual(Base64URL.decode(Substring(Base64URL.encode(bytes))), bytes, "length \(n)")
            XCTAssertEqual(Base64URL.decode(Substring(Base64URL.encode(bytes[...]))), bytes, "slice of length \(n)")
        }
    }

    func testBase64URLRejectsBadInput() {
        XCTAssertNil(Base64URL.decode("Zg=="), "padding is not part of base64url here")
        XCTAssertNil(Base64URL.decode("Z"), "one leftover character cannot encode a byte")
        XCTAssertNil(Base64URL.decode("Zm9v!"))
        XCTAssertNil(Base64URL.decode("Zm 9v"))
        XCTAssertNil(Base64URL.decode("Zh"), "non-zero trailing bits would give a second spelling of \"f\"")
        XCTAssertNil(Base64URL.decode("Zm9"), "non-zero trailing bits")
        XCTAssertNil(Base64URL.decode("Zm9vé"))
    }

    func testBase64URLDecodesSubstringOfLargerString() {
        let token = "xx.Zm9vYmFy.yy"
        let middle = token.split(separator: ".")[1]
        XCTAssertEqual(Base64URL.decode(middle), Array("foobar".utf8))
    }

    func testStandardBase64IsPadded() {
        XCTAssertEqual(Base64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode([0xFB, 0xFF, 0xBF]), "+/+/")
        XCTAssertEqual(Base64.decode("Zm8="), Array("fo".utf8))
        XCTAssertEqual(Base64.decode("Zg=="), Array("f".utf8))
        XCTAssertEqual(Base64.decode(""), [])
        XCTAssertNil(Base64.decode("Zg"), "missing padding")
        XCTAssertNil(Base64.decode("Zg=a"), "misplaced padding")
        XCTAssertNil(Base64.decode("Z==="), "too much padding")
        XCTAssertNil(Base64.decode("-_-_"), "URL alphabet")
    }

    func testHexIsLowercase() {
        XCTAssertEqual(Hex.encode([]), "")
        XCTAssertEqual(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]), "000fa0ff")
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals([], []))
        XCTAssertTrue(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertFalse(constantTimeEquals([], [0]))
    }
}
