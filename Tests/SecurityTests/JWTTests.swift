import XCTest
import Security

final class JWTTests: XCTestCase {
    static let key = Array("tsuna-test-key-0123456789abcdef!".utf8)
    let signer = JWTSigner(key: JWTTests.key)
    let now: Int64 = 1_700_000_100
    let claims = JWTClaims(tokenType: "access", subject: "user-1", id: "f0e1d2c3", issuedAt: 1_700_000_000,
                           expiresAt: 1_700_003_600)

    /// A token with arbitrary header and payload JSON, signed (HS256) with `key`.
    func forge(header: String, payload: String, key: [UInt8] = JWTTests.key) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(HMACSHA256.mac(key: key, message: input))
    }

    func assertRejects(_ token: String, _ expected: JWTError, type: String = "access",
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try signer.verify(token, expectedType: type, now: now), file: file, line: line) { error in
            XCTAssertEqual(error as? JWTError, expected, "token \(token.prefix(120))", file: file, line: line)
        }
    }

    let standardHeader = #"{"alg":"HS256","typ":"JWT"}"#

    func testRoundTrip() throws {
        let token = signer.sign(claims)
        XCTAssertTrue(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))
        XCTAssertEqual(try signer.verify(token, expectedType: "access", now: now), claims)
    }

    func testRoundTripEscapesStrings() throws {
        var odd = claims
        odd.subject = "quote\" backslash\\ newline\n tab\t nul\u{0} bell\u{7} é 🔑"
        odd.id = ""
        XCTAssertEqual(try signer.verify(signer.sign(odd), expectedType: "access", now: now), odd)
    }

    /// python3 -c "import hmac,hashlib,base64,json; b=lambda x: base64.urlsafe_b64encode(x).rstrip(b'=');
    ///   k=b'tsuna-test-key-0123456789abcdef!'; h=b(json.dumps({'alg':'HS256','typ':'JWT'},separators=(',',':')).encode());
    ///   p=b(json.dumps({'token_type':'refresh','exp':1702592000,'iat':1700000000,'jti':'abc\"\\\\def','sub':'u1'},
    ///   separators=(',',':')).encode()); s=h+b'.'+p; print((s+b'.'+b(hmac.new(k,s,hashlib.sha256).digest())).decode())"
    static let pythonCompactToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTcwMjU5MjAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJhYmNcIlxcZGVmIiwic3ViIjoidTEifQ.oLXwNDomPGLjfO2LAVuAF_pSbjib0KLAECfp0W-NUy0"

    func testSigningMatchesPythonByteForByte() throws {
        let expected = JWTClaims(tokenType: "refresh", subject: "u1", id: #"abc"\def"#, issuedAt: 1_700_000_000,
                                 expiresAt: 1_702_592_000)
        XCTAssertEqual(signer.sign(expected), Self.pythonCompactToken)
        XCTAssertEqual(try signer.verify(Self.pythonCompactToken, expectedType: "refresh", now: now), expected)
    }

    /// python3 -c "import hmac,hashlib,base64,json; b=lambda x: base64.urlsafe_b64encode(x).rstrip(b'=');
    ///   k=b'tsuna-test-key-0123456789abcdef!'; h=b(json.dumps({'typ':'JWT','alg':'HS256'}).encode());
    ///   p=b(json.dumps({'token_type':'access','exp':4102444800,'iat':1700000000,'jti':'9f86d081884c7d659a2feaa0c55ad015',
    ///   'sub':'user-\u00e9\u00e8','extra':[1,{'a':None}]}).encode()); s=h+b'.'+p;
    ///   print((s+b'.'+b(hmac.new(k,s,hashlib.sha256).digest())).decode())"
    /// (default json.dumps: spaces after separators, \u escapes, other header order, an extra member.)
    static let pythonSpacedToken = "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjogImFjY2VzcyIsICJleHAiOiA0MTAyNDQ0ODAwLCAiaWF0IjogMTcwMDAwMDAwMCwgImp0aSI6ICI5Zjg2ZDA4MTg4NGM3ZDY1OWEyZmVhYTBjNTVhZDAxNSIsICJzdWIiOiAidXNlci1cdTAwZTlcdTAwZTgiLCAiZXh0cmEiOiBbMSwgeyJhIjogbnVsbH1dfQ.xThyygxGXvc6ltvdgtJOwCTVgnLJMYZEPSkXWrLXv4E"

    func testPythonProducedTokenVerifies() throws {
        let verified = try signer.verify(Self.pythonSpacedToken, expectedType: "access", now: now)
        XCTAssertEqual(verified, JWTClaims(tokenType: "access", subject: "user-éè", id: "9f86d081884c7d659a2feaa0c55ad015",
                                           issuedAt: 1_700_000_000, expiresAt: 4_102_444_800))
    }

    func testChangedPayloadWithOldSignatureIsBadSignature() {
        let parts = signer.sign(claims).split(separator: ".")
        var other = claims
        other.subject = "admin"
        let otherParts = signer.sign(other).split(separator: ".")
        assertRejects("\(parts[0]).\(otherParts[1]).\(parts[2])", .badSignature)
    }

    func testAlgNoneIsBadAlgorithm() {
        let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = signer.sign(claims).split(separator: ".")[1]
        assertRejects("\(header).\(payload).", .badAlgorithm)
    }

    func testOtherAlgorithmsAndMissingAlgAreBadAlgorithm() {
        let payload = #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"y"}"#
        assertRejects(forge(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: payload), .badAlgorithm)
        assertRejects(forge(header: #"{"alg":"hs256"}"#, payload: payload), .badAlgorithm)
        assertRejects(forge(header: #"{"typ":"JWT"}"#, payload: payload), .badAlgorithm)
        assertRejects(forge(header: #"{"alg":256}"#, payload: payload), .badAlgorithm)
        assertRejects(forge(header: #"{"alg":["HS256"]}"#, payload: payload), .badAlgorithm)
        assertRejects(forge(header: #"{"alg":"HS256","alg":"none"}"#, payload: payload), .malformed)
        // A non-standard but valid HS256 header is fine, including escapes in the key.
        XCTAssertNoThrow(try signer.verify(forge(header: #" { "\u0061lg" : "HS256", "kid": {"x": [1, 2.5e3]} } "#,
                                                 payload: payload), expectedType: "access", now: now))
    }

    func testWrongKeyIsBadSignature() {
        let other = JWTSigner(key: Array("some other key".utf8))
        assertRejects(other.sign(claims), .badSignature)
    }

    func testNonCanonicalSignatureIsBadSignature() {
        let token = signer.sign(claims)
        // The 43rd character carries 4 unused low bits; setting one gives the same bytes, spelled differently.
        var chars = Array(token.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let last = chars.count - 1
        guard let v = alphabet.firstIndex(of: chars[last]) else { return XCTFail("not base64url") }
        chars[last] = alphabet[v | 1]
        assertRejects(String(decoding: chars, as: UTF8.self), .badSignature)
        assertRejects(token + "A", .badSignature)
        assertRejects(String(token.dropLast()), .badSignature)
    }

    func testExpired() {
        var old = claims
        old.expiresAt = now
        assertRejects(signer.sign(old), .expired)
        old.expiresAt = now - 1
        assertRejects(signer.sign(old), .expired)
        old.expiresAt = now + 1
        XCTAssertNoThrow(try signer.verify(signer.sign(old), expectedType: "access", now: now))
    }

    func testRefreshPresentedAsAccessIsWrongType() {
        var refresh = claims
        refresh.tokenType = "refresh"
        assertRejects(signer.sign(refresh), .wrongType)
        XCTAssertNoThrow(try signer.verify(signer.sign(refresh), expectedType: "refresh", now: now))
    }

    func testStructurallyMalformed() {
        let token = signer.sign(claims)
        let parts = token.split(separator: ".")
        assertRejects("", .malformed)
        assertRejects("garbage", .malformed)
        assertRejects("....", .malformed)
        assertRejects("\(parts[0]).\(parts[1])", .malformed)
        assertRejects("\(token).\(parts[2])", .malformed)
        assertRejects("\(parts[0])!.\(parts[1]).\(parts[2])", .malformed)
        assertRejects("\(parts[0]).\(parts[1])*.\(parts[2])", .malformed)
        assertRejects("\(parts[0]).\(parts[1])==.\(parts[2])", .malformed)
        assertRejects("Zm9v.\(parts[1]).\(parts[2])", .malformed)  // header "foo" is not JSON
        assertRejects(String(repeating: "a", count: 5000), .malformed)
        assertRejects(token + String(repeating: "A", count: 5000), .malformed)
    }

    func testSignedButBadPayloadIsMalformed() {
        let h = standardHeader
        let bad = [
            "not json",
            "[]",
            "{}",
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"sub":"y"}"#,
            #"{"token_type":"access","iat":1700000000,"jti":"x","sub":"y"}"#,
            #"{"token_type":"access","exp":"1700003600","iat":1700000000,"jti":"x","sub":"y"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":null,"jti":"x","sub":"y"}"#,
            #"{"token_type":1,"exp":1700003600,"iat":1700000000,"jti":"x","sub":"y"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":7}"#,
            #"{"token_type":"access","exp":99999999999999999999,"iat":1700000000,"jti":"x","sub":"y"}"#,
            #"{"token_type":"access","exp":1e400,"iat":1700000000,"jti":"x","sub":"y"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"y","sub":"z"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"y"} trailing"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"y",}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"\ud800"}"#,
            #"{"token_type":"access","exp":1700003600,"iat":1700000000,"jti":"x","sub":"y","deep":"#
                + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}",
        ]
        for payload in bad {
            assertRejects(forge(header: h, payload: payload), .malformed)
        }
        // Payload bytes that are not UTF-8.
        let input = Base64URL.encode(Array(h.utf8)) + "." + Base64URL.encode([0x7B, 0xFF, 0x7D])
        assertRejects(input + "." + Base64URL.encode(HMACSHA256.mac(key: Self.key, message: input)), .malformed)
    }

    func testNumericClaimForms() throws {
        let h = standardHeader
        let fractional = #"{"token_type":"access","exp":1700003600.9,"iat":1700000000.25,"jti":"x","sub":"y"}"#
        let verified = try signer.verify(forge(header: h, payload: fractional), expectedType: "access", now: now)
        XCTAssertEqual(verified.expiresAt, 1_700_003_600)
        XCTAssertEqual(verified.issuedAt, 1_700_000_000)
        let exponent = #"{"token_type":"access","exp":1.7000036E9,"iat":-5,"jti":"x","sub":"y","n":-0.5e-3}"#
        let v2 = try signer.verify(forge(header: h, payload: exponent), expectedType: "access", now: now)
        XCTAssertEqual(v2.expiresAt, 1_700_003_600)
        XCTAssertEqual(v2.issuedAt, -5)
    }

    func testConcurrentVerification() {
        let token = signer.sign(claims)
        let failures = Failures()
        let (signer, claims, now) = (signer, claims, now)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 where (try? signer.verify(token, expectedType: "access", now: now)) != claims {
                failures.record()
            }
        }
        XCTAssertEqual(failures.count, 0)
    }
}
