import XCTest
import Security

final class URLSignerTests: XCTestCase {
    let signer = URLSigner(key: Array("tsuna-url-key".utf8))
    let path = "/media/private/a.mp4"
    let expires: Int64 = 1_700_003_600

    /// python3 -c "import hmac,hashlib,base64; k=b'tsuna-url-key'; m=b'/media/private/a.mp4\n1700003600';
    ///     print(base64.urlsafe_b64encode(hmac.new(k,m,hashlib.sha256).digest()).rstrip(b'=').decode())"
    func testSignatureMatchesPython() {
        XCTAssertEqual(signer.signature(path: path, expires: expires), "Yo9Kv_giz04twGfSXgYRSZWqLerxQfzCdNAzwjvwgOU")
        XCTAssertEqual(signer.query(path: path, expires: expires),
                       "expires=1700003600&signature=Yo9Kv_giz04twGfSXgYRSZWqLerxQfzCdNAzwjvwgOU")
    }

    func testValidBeforeExpiry() {
        let sig = signer.signature(path: path, expires: expires)
        XCTAssertTrue(signer.verify(path: path, expires: "1700003600", signature: sig, now: expires - 1))
    }

    func testExpired() {
        let sig = signer.signature(path: path, expires: expires)
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: sig, now: expires))
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: sig, now: expires + 100))
    }

    func testTampered() {
        let sig = signer.signature(path: path, expires: expires)
        let now = expires - 10
        XCTAssertFalse(signer.verify(path: "/media/private/b.mp4", expires: "1700003600", signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "1700003601", signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "01700003600", signature: sig, now: now), "respelled expiry")
        var flipped = Array(sig.utf8)
        flipped[5] = flipped[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: String(decoding: flipped, as: UTF8.self), now: now))
        let otherKey = URLSigner(key: Array("another key".utf8))
        XCTAssertFalse(otherKey.verify(path: path, expires: "1700003600", signature: sig, now: now))
    }

    func testMissingOrMalformedParameters() {
        let sig = signer.signature(path: path, expires: expires)
        let now = expires - 10
        XCTAssertFalse(signer.verify(path: path, expires: nil, signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: nil, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: nil, signature: nil, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "", signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "-5", signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "17e8", signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: String(repeating: "9", count: 40), signature: sig, now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: "", now: now))
        XCTAssertFalse(signer.verify(path: path, expires: "1700003600", signature: sig + "A", now: now))
    }
}
