import Platform
import XCTest
import Security

final class HMACTests: XCTestCase {
    /// RFC 4231 test case 2.
    func testRFC4231Case2() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        XCTAssertEqual(Hex.encode(HMACSHA256.mac(key: Array("Jefe".utf8), message: "what do ya want for nothing?")), expected)
        let key = HMACKey(Array("Jefe".utf8))
        XCTAssertEqual(Hex.encode(key.mac("what do ya want for nothing?")), expected)
    }

    /// RFC 4231 test case 6: a key longer than the block size is hashed first.
    func testRFC4231Case6LongKey() {
        let key = [UInt8](repeating: 0xAA, count: 131)
        let message = "Test Using Larger Than Block-Size Key - Hash Key First"
        let expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        XCTAssertEqual(Hex.encode(HMACSHA256.mac(key: key, message: message)), expected)
        XCTAssertEqual(Hex.encode(HMACKey(key).mac(message)), expected)
    }

    /// Empty key and message: python3 -c "import hmac,hashlib; print(hmac.new(b'', b'', hashlib.sha256).hexdigest())"
    func testEmptyKeyAndMessage() {
        let expected = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        XCTAssertEqual(Hex.encode(HMACSHA256.mac(key: [], message: "")), expected)
        XCTAssertEqual(Hex.encode(HMACKey([]).mac("")), expected)
    }

    /// A reused key gives the same answer each time, however its pooled contexts are interleaved.
    func testReusedKeyIsStableAndMatchesOneShot() {
        let keyBytes = Array("reuse me".utf8)
        let key = HMACKey(keyBytes)
        for i in 0..<50 {
            let message = "message \(i)"
            XCTAssertEqual(key.mac(message), HMACSHA256.mac(key: keyBytes, message: message))
        }
    }

    func testConcurrentUseOfOneKey() {
        let keyBytes = Array("shared".utf8)
        let key = HMACKey(keyBytes)
        let messages = (0..<16).map { "m\($0)" }
        let expected = messages.map { HMACSHA256.mac(key: keyBytes, message: $0) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<200 {
                let i = (worker + round) % messages.count
                if key.mac(messages[i]) != expected[i] { failures.record() }
            }
        }
        XCTAssertEqual(failures.count, 0)
    }

    func testMacIntoBufferMatches() {
        let key = HMACKey(Array("k".utf8))
        var out = [UInt8](repeating: 0, count: 40)
        let message = Array("hello".utf8)
        message.withUnsafeBytes { m in out.withUnsafeMutableBytes { key.mac(m, into: $0) } }
        XCTAssertEqual(Array(out[..<32]), key.mac("hello"))
        XCTAssertEqual(Array(out[32...]), [UInt8](repeating: 0, count: 8), "writes exactly 32 bytes")
    }
}

/// A thread-safe failure counter for concurrent tests.
final class Failures: Sendable {
    private let value = Locked(0)
    func record() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
