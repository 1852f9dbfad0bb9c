import CCrypto

/// The registered claims of an access or refresh token.
public struct JWTClaims: Sendable, Equatable {
    /// `token_type`: "access" or "refresh".
    public var tokenType: String
    /// `sub`: whom the token is about.
    public var subject: String
    /// `jti`: unique token id.
    public var id: String
    /// `iat`: seconds since the epoch.
    public var issuedAt: Int64
    /// `exp`: seconds since the epoch; the token is valid while now < exp.
    public var expiresAt: Int64
    /// `gen`: the issuer's generation of the subject's tokens (absent: 0). Issuers bump the subject's current
    /// generation to reject every token issued before, at the cost of one integer comparison per check.
    public var generation: Int64

    /// Creates claims from their values.
    public init(tokenType: String, subject: String, id: String, issuedAt: Int64, expiresAt: Int64, generation: Int64 = 0) {
        self.tokenType = tokenType
        self.subject = subject
        self.id = id
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.generation = generation
    }
}

/// Why a token was rejected.
public enum JWTError: Error, Equatable {
    /// Not three base64url parts of JSON with the required claims, or too long.
    case malformed
    /// The header does not name HS256.
    case badAlgorithm
    /// The signature does not match.
    case badSignature
    /// `exp` is not after now.
    case expired
    /// `token_type` is not the expected one.
    case wrongType
}

/// HS256 JSON Web Tokens (RFC 7519) signed and verified with one key.
public final class JWTSigner: Sendable {
    /// Longest token `verify` reads, in bytes; longer ones are malformed.
    public static let maxTokenLength = 4096

    /// base64url of `{"alg":"HS256","typ":"JWT"}`, the only header this signer writes.
    static let standardHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    /// Characters in the base64url form of a 32-byte HMAC-SHA256 tag.
    static let signatureLength = 43

    private let key: HMACKey

    /// A signer for `key` (the caller derives it from the application secret).
    public init(key: [UInt8]) {
        self.key = HMACKey(key)
    }

    /// Signs `claims` into a compact token `header.payload.signature`.
    public func sign(_ claims: JWTClaims) -> String {
        var token = Self.standardHeader
        token += "."
        token += Base64URL.encode(JWTClaimsCoding.encode(claims))
        let signature = token.withUTF8 { key.mac(UnsafeRawBufferPointer($0)) }
        token += "."
        token += Base64URL.encode(signature)
        return token
    }

    /// Verifies a token and returns its claims. Checks, in order: shape and size (`malformed`),
    /// header `alg` == "HS256" (`badAlgorithm`), the signature in constant time (`badSignature`),
    /// the five claims (`malformed`), `exp` > `now` (`expired`), and `token_type` (`wrongType`).
    public func verify(_ token: String, expectedType: String, now: Int64) throws(JWTError) -> JWTClaims {
        guard token.utf8.count <= Self.maxTokenLength else { throw .malformed }
        var token = token
        let outcome = token.withUTF8 { verify(bytes: $0, expectedType: expectedType, now: now) }
        return try outcome.get()
    }

    private func verify(bytes: UnsafeBufferPointer<UInt8>, expectedType: String, now: Int64) -> Result<JWTClaims, JWTError> {
        // Split into exactly three parts.
        guard let dot1 = bytes.firstIndex(of: UInt8(ascii: ".")) else { return .failure(.malformed) }
        let rest = UnsafeBufferPointer(rebasing: bytes[(dot1 + 1)...])
        guard let dot2Offset = rest.firstIndex(of: UInt8(ascii: ".")) else { return .failure(.malformed) }
        let dot2 = dot1 + 1 + dot2Offset
        let header = UnsafeBufferPointer(rebasing: bytes[..<dot1])
        let payload = UnsafeBufferPointer(rebasing: bytes[(dot1 + 1)..<dot2])
        let signature = UnsafeBufferPointer(rebasing: bytes[(dot2 + 1)...])
        guard !signature.contains(UInt8(ascii: ".")) else { return .failure(.malformed) }
        let signingInput = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[..<dot2])

        // Decoded parts are at most 3/4 of a ≤ 4096-byte token, so they fit in a temporary buffer.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes.count, 1)) { scratch in
            // Header: the standard one is recognised without decoding.
            if !Self.isStandardHeader(header) {
                guard let n = Base64Codec.decode(header, into: scratch, alphabet: .url) else { return .failure(.malformed) }
                switch JWTClaimsCoding.headerNamesHS256(UnsafeBufferPointer(rebasing: scratch[..<n])) {
                case nil: return .failure(.malformed)
                case false?: return .failure(.badAlgorithm)
                case true?: break
                }
            }
            guard let payloadCount = Base64Codec.decode(payload, into: scratch, alphabet: .url) else {
                return .failure(.malformed)
            }
            guard signatureMatches(signature, signingInput: signingInput) else { return .failure(.badSignature) }
            guard let claims = JWTClaimsCoding.decode(UnsafeBufferPointer(rebasing: scratch[..<payloadCount])) else {
                return .failure(.malformed)
            }
            guard claims.expiresAt > now else { return .failure(.expired) }
            guard claims.tokenType == expectedType else { return .failure(.wrongType) }
            return .success(claims)
        }
    }

    /// Compares the base64url form of the expected tag with the given one: no decode, and a
    /// non-canonical encoding of the right tag is rejected.
    private func signatureMatches(_ signature: UnsafeBufferPointer<UInt8>, signingInput: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == Self.signatureLength else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: HMACSHA256.length + Self.signatureLength) { buffer in
            let tag = UnsafeMutableBufferPointer(rebasing: buffer[..<HMACSHA256.length])
            let encoded = UnsafeMutableBufferPointer(rebasing: buffer[HMACSHA256.length...])
            key.mac(signingInput, into: UnsafeMutableRawBufferPointer(tag))
            let n = Base64Codec.encode(UnsafeBufferPointer(tag), into: encoded, alphabet: .url)
            return constantTimeEquals(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(encoded)[..<n]),
                                      UnsafeRawBufferPointer(signature))
        }
    }

    private static func isStandardHeader(_ header: UnsafeBufferPointer<UInt8>) -> Bool {
        var expected = standardHeader
        return expected.withUTF8 { $0.elementsEqual(header) }
    }
}
