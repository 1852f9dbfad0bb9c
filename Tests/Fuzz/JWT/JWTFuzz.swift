// libFuzzer harness: JWT (HS256) signing and verification.
//
// Input: byte 0 picks the mode (its value modulo 3; the seeds use the digits '0', '1', '2'):
//   0  the rest is a token. It must not crash, and it may verify only if its signature is the genuine
//      HMAC of its first two parts under the harness key (checked with the one-shot HMAC, not the
//      verifier's cached key), and its claims must be what the tree parser reads in its payload.
//      Every part that decodes (base64url, or padded base64) must re-encode to itself (one encoding
//      per byte string). The three parts, read as a media URL's path, expires and signature, may pass
//      the URL signer only with the genuine signature of a future time.
//   1  the rest is a script of edits applied to one of a few valid tokens: any token that differs
//      from the original in any byte must be refused, the original must verify to its claims.
//   2  the rest makes claims (strings of any bytes, any 64-bit times and generation): the signed token
//      must verify to the same claims just before `exp`, be expired at `exp` and refused for the
//      other token type.
import JSON
import Security

private let key = Array("tsuna-fuzz-key-0123456789abcdef!".utf8)
private let signer = JWTSigner(key: key)
private let urlSigner = URLSigner(key: key)
/// "now" for modes 0 and 1; the valid tokens (and the valid seeds in the corpus) expire after it.
private let now: Int64 = 1_700_000_000

private let validClaims = [
    JWTClaims(tokenType: "access", subject: "42", id: "0123456789abcdef0123456789abcdef",
              issuedAt: now - 60, expiresAt: now + 3600),
    JWTClaims(tokenType: "refresh", subject: "7", id: "fedcba9876543210fedcba9876543210",
              issuedAt: now - 60, expiresAt: now + 86_400 * 30, generation: 3),
    JWTClaims(tokenType: "access", subject: "ü\"\\/\u{2028}\u{1F600}\u{0}", id: "x",
              issuedAt: -1, expiresAt: Int64.max),
]
private let validTokens = validClaims.map { signer.sign($0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 3 {
    case 0: checkArbitraryToken(String(decoding: input.rest, as: UTF8.self))
    case 1: checkTampering(&input)
    default: checkRoundTrip(&input)
    }
    return 0
}

private func checkArbitraryToken(_ token: String) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    for part in parts {
        if let decoded = Base64URL.decode(part) {
            fuzzCheck(Base64URL.encode(decoded) == part, "\(part) decodes but is not canonical")
        }
        if let decoded = Base64.decode(part) {
            fuzzCheck(Base64.encode(decoded) == part, "\(part) decodes (padded alphabet) but is not canonical")
        }
    }
    // The same three parts as a signed media URL: path, expires, signature.
    if parts.count == 3 {
        let (path, expires, signature) = (String(parts[0]), String(parts[1]), String(parts[2]))
        if urlSigner.verify(path: path, expires: expires, signature: signature, now: now) {
            let genuine = Base64URL.encode(HMACSHA256.mac(key: key, message: "\(path)\n\(expires)"))
            fuzzCheck(signature == genuine, "a media URL signature verified without being genuine")
            fuzzCheck(expires.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int64(expires).map { $0 > now } == true,
                      "a media URL verified with expires=\(expires)")
        }
    }
    for type in ["access", "refresh"] {
        guard let claims = try? signer.verify(token, expectedType: type, now: now) else { continue }
        fuzzCheck(parts.count == 3, "verified a token of \(parts.count) parts")
        let signingInput = "\(parts[0]).\(parts[1])"
        let genuine = Base64URL.encode(HMACSHA256.mac(key: key, message: signingInput))
        fuzzCheck(parts[2] == genuine, "verified a token whose signature is not the HMAC of its content: \(token)")
        fuzzCheck(claims.tokenType == type && claims.expiresAt > now, "verified wrong claims \(claims)")
        checkClaimsAgainstTree(claims, payload: parts[1])
    }
}

/// The streaming claims decoder against the tree parser on the same payload.
private func checkClaimsAgainstTree(_ claims: JWTClaims, payload: Substring) {
    guard let json = Base64URL.decode(payload), let tree = try? JSONParser.parse(json), let object = tree.objectValue else {
        fuzzFail("a verified payload is not a JSON object to the tree parser")
    }
    fuzzCheck(Set(object.keys).count == object.count, "a verified payload repeats a key: \(object.keys)")
    fuzzCheck(tree["token_type"]?.stringValue == claims.tokenType, "token_type differs from the tree's")
    fuzzCheck(tree["sub"]?.stringValue == claims.subject, "sub differs from the tree's")
    fuzzCheck(tree["jti"]?.stringValue == claims.id, "jti differs from the tree's")
    for (key, value) in [("exp", claims.expiresAt), ("iat", claims.issuedAt), ("gen", claims.generation)] {
        guard let number = tree[key]?.numberValue else {
            fuzzCheck(key == "gen" && value == 0, "\(key) is not a number in the tree")
            continue
        }
        if let exact = number.int64 { fuzzCheck(exact == value, "\(key) is \(exact) in the tree, \(value) in the claims") }
    }
}

private func checkTampering(_ input: inout FuzzInput) {
    let index = Int(input.byte()) % validTokens.count
    let original = Array(validTokens[index].utf8)
    var token = original
    var steps = 0
    while input.position < input.bytes.count && steps < 16 {
        let op = input.byte(), position = Int(input.byte()) | Int(input.byte()) << 8, value = input.byte()
        steps += 1
        let at = token.isEmpty ? 0 : position % token.count
        switch op % 8 {
        case 0 where !token.isEmpty: token[at] = value
        case 1: token.insert(value, at: min(at, token.count))
        case 2 where !token.isEmpty: token.remove(at: at)
        case 3: token = Array(token.prefix(at))
        case 4: token = swapParts(token, Int(value))
        case 5: token = editDecodedPart(token, part: Int(value % 3), at: position, value: op)
        case 6: token.append(value)
        default:
            if !token.isEmpty, (0x41...0x5A).contains(token[at] & ~0x20) { token[at] ^= 0x20 }
        }
    }
    let text = String(decoding: token, as: UTF8.self)
    let expectedType = validClaims[index].tokenType
    let result: Result<JWTClaims, JWTError>
    do { result = .success(try signer.verify(text, expectedType: expectedType, now: now)) } catch { result = .failure(error) }
    if Array(text.utf8) == original {
        fuzzCheck(result == .success(validClaims[index]), "the untouched token gave \(result)")
    } else {
        fuzzCheck(result != .success(validClaims[index]) && (try? result.get()) == nil,
                  "a tampered token verified: \(text) (original \(validTokens[index]))")
    }
}

/// Swaps two of the dot-separated parts (0-1, 1-2 or 0-2).
private func swapParts(_ token: [UInt8], _ choice: Int) -> [UInt8] {
    var parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
    guard parts.count >= 2 else { return token }
    let pairs = [(0, 1), (1, 2), (0, 2)]
    let (a, b) = pairs[choice % 3]
    guard b < parts.count else { return token }
    parts.swapAt(a, b)
    return Array(parts.joined(separator: [UInt8(ascii: ".")]))
}

/// Decodes one part, changes one byte of the decoded JSON (or signature), and encodes it again:
/// a well-formed token with altered content.
private func editDecodedPart(_ token: [UInt8], part: Int, at position: Int, value: UInt8) -> [UInt8] {
    var parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
    guard part < parts.count, var decoded = Base64URL.decode(Substring(String(decoding: parts[part], as: UTF8.self))),
          !decoded.isEmpty else { return token }
    decoded[position % decoded.count] = value
    parts[part] = Array(Base64URL.encode(decoded).utf8)
    return Array(parts.joined(separator: [UInt8(ascii: ".")]))
}

private func checkRoundTrip(_ input: inout FuzzInput) {
    func int64() -> Int64 {
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(input.byte()) }
        return Int64(bitPattern: v)
    }
    let flags = input.byte()
    let subjectLength = Int(input.byte()), idLength = Int(input.byte()), typeLength = Int(input.byte() % 16)
    let issuedAt = int64(), expiresAt = int64(), generation = flags & 1 == 0 ? 0 : int64()
    let rest = input.rest
    var offset = 0
    func text(_ length: Int) -> String {
        let end = min(rest.count, offset + length)
        defer { offset = end }
        return String(decoding: rest[offset..<end], as: UTF8.self)
    }
    let subject = text(subjectLength), id = text(idLength)
    let tokenType = flags & 2 == 0 ? (flags & 4 == 0 ? "access" : "refresh") : text(typeLength)
    let claims = JWTClaims(tokenType: tokenType, subject: subject, id: id, issuedAt: issuedAt,
                           expiresAt: expiresAt, generation: generation)
    let token = signer.sign(claims)
    guard token.utf8.count <= JWTSigner.maxTokenLength else {
        fuzzCheck(verifyError(token, tokenType, now: expiresAt) == .malformed, "an over-long token was not refused")
        return
    }
    if expiresAt > Int64.min {
        do {
            let back = try signer.verify(token, expectedType: tokenType, now: expiresAt - 1)
            fuzzCheck(back == claims, "claims changed in a round trip:\n\(claims)\n\(back)")
        } catch {
            fuzzFail("a freshly signed token was refused (\(error)): \(token) for \(claims)")
        }
        fuzzCheck(verifyError(token, tokenType + "x", now: expiresAt - 1) == .wrongType, "the other token type was accepted")
    }
    fuzzCheck(verifyError(token, tokenType, now: expiresAt) == .expired, "a token was accepted at its expiry")
}

private func verifyError(_ token: String, _ type: String, now: Int64) -> JWTError? {
    do {
        _ = try signer.verify(token, expectedType: type, now: now)
        return nil
    } catch {
        return error
    }
}
