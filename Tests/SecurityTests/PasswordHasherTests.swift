import XCTest
import Security

final class PasswordHasherTests: XCTestCase {
    /// python3 -c "import hashlib,base64; print('pbkdf2_sha256\$1000\$saltsaltsalt\$' + base64.b64encode(
    ///     hashlib.pbkdf2_hmac('sha256', b'correct horse battery staple', b'saltsaltsalt', 1000)).decode())"
    static let fixture1000 = "pbkdf2_sha256$1000$saltsaltsalt$KQDle8SXZRa7sBUZQfkYQI6NXnZxupxhxtm+aXnClyg="
    static let password1000 = "correct horse battery staple"

    /// python3 -c "import hashlib,base64; print('pbkdf2_sha256\$600000\$Xk3bQ9vLm2Rt7YpWz4Hc1A\$' + base64.b64encode(
    ///     hashlib.pbkdf2_hmac('sha256', 'pässwörd 🔑'.encode(), b'Xk3bQ9vLm2Rt7YpWz4Hc1A', 600000)).decode())"
    static let fixture600k = "pbkdf2_sha256$600000$Xk3bQ9vLm2Rt7YpWz4Hc1A$d/dyVHPV67EyPgrEK2DMkRWLKU2YN9KoqA7bXtDysw8="
    static let password600k = "pässwörd 🔑"

    let hasher = PasswordHasher(iterations: 1000)

    func testVerifiesPythonFixtureAt1000Iterations() {
        XCTAssertTrue(hasher.verify(Self.password1000, encoded: Self.fixture1000))
        XCTAssertFalse(hasher.verify("correct horse battery stapl", encoded: Self.fixture1000))
        XCTAssertFalse(hasher.verify("", encoded: Self.fixture1000))
    }

    func testVerifiesPythonFixtureAt600000IterationsWithUnicodePassword() {
        // The iteration count comes from the stored hash, not from the hasher's configuration.
        XCTAssertTrue(hasher.verify(Self.password600k, encoded: Self.fixture600k))
        XCTAssertFalse(hasher.verify("passwörd 🔑", encoded: Self.fixture600k))
    }

    func testHashWithKnownSaltReproducesFixture() {
        XCTAssertEqual(hasher.hash(Self.password1000, salt: "saltsaltsalt"), Self.fixture1000)
        XCTAssertNil(hasher.hash("x", salt: ""))
        XCTAssertNil(hasher.hash("x", salt: "a$b"))
    }

    func testHashVerifyRoundTripInDjangoFormat() throws {
        let encoded = hasher.hash("s3cret pass")
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 4)
        XCTAssertEqual(parts[0], "pbkdf2_sha256")
        XCTAssertEqual(parts[1], "1000")
        XCTAssertEqual(parts[2].count, 22)
        XCTAssertTrue(parts[2].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        XCTAssertEqual(parts[3].count, 44)
        XCTAssertEqual(Base64.decode(parts[3])?.count, 32)
        XCTAssertTrue(hasher.verify("s3cret pass", encoded: encoded))
        XCTAssertFalse(hasher.verify("s3cret pas", encoded: encoded))
        XCTAssertNotEqual(hasher.hash("s3cret pass"), encoded, "fresh salt each time")
    }

    func testMalformedEncodingsAreFalse() {
        let goodHash = "KQDle8SXZRa7sBUZQfkYQI6NXnZxupxhxtm+aXnClyg="
        let malformed = [
            "",
            "$$$",
            "pbkdf2_sha256",
            "pbkdf2_sha256$1000$saltsaltsalt",
            "pbkdf2_sha1$1000$saltsaltsalt$\(goodHash)",
            "PBKDF2_SHA256$1000$saltsaltsalt$\(goodHash)",
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA",
            "pbkdf2_sha256$$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$0$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$-1000$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$+1000$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$01000$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$1e3$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$ 1000$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$10000001$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$99999999999999999999999999$saltsaltsalt$\(goodHash)",
            "pbkdf2_sha256$1000$$\(goodHash)",
            "pbkdf2_sha256$1000$saltsaltsalt$",
            "pbkdf2_sha256$1000$saltsaltsalt$\(goodHash)$",
            "pbkdf2_sha256$1000$saltsaltsalt$\(goodHash.dropLast())",
            "pbkdf2_sha256$1000$\(String(repeating: "s", count: 5000))$\(goodHash)",
            Self.fixture1000 + " ",
        ]
        for encoded in malformed {
            XCTAssertFalse(hasher.verify(Self.password1000, encoded: encoded), "accepted \(encoded.prefix(80))")
            XCTAssertTrue(hasher.needsRehash(encoded), "\(encoded.prefix(80)) should be replaced")
        }
    }

    func testDummyVerifyTakesAnyPasswordWithoutTrapping() {
        // Its only observable effect is spent time, which belongs to benchmarks; this guards against traps.
        hasher.dummyVerify("whatever")
        hasher.dummyVerify("")
        hasher.dummyVerify(String(repeating: "é", count: 100_000))
    }

    func testNeedsRehash() {
        XCTAssertFalse(hasher.needsRehash(hasher.hash("pw")))
        XCTAssertTrue(PasswordHasher(iterations: 2000).needsRehash(hasher.hash("pw")), "iteration count changed")
        XCTAssertTrue(hasher.needsRehash(Self.fixture1000), "12-character salt is below Django's entropy")
        XCTAssertFalse(PasswordHasher(iterations: 600_000).needsRehash(Self.fixture600k))
    }
}
