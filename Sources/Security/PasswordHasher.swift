import CCrypto

/// Django-compatible PBKDF2-HMAC-SHA256 password hashes:
/// `pbkdf2_sha256$<iterations>$<salt>$<base64 (standard, padded) of the 32-byte derived key>`.
public struct PasswordHasher: Sendable {
    /// The algorithm name at the head of every encoded hash.
    public static let algorithm = "pbkdf2_sha256"
    /// Highest iteration count accepted, from configuration or a stored hash (bounds CPU per verify).
    public static let maxIterations = 10_000_000
    /// Salt length in characters: 22 alphanumerics ≈ 131 bits, as Django generates.
    public static let saltLength = 22
    /// Longest salt accepted from a stored hash.
    static let maxSaltLength = 1024
    /// Length of the derived key in bytes (SHA-256 output, Django's default).
    static let derivedKeyLength = 32

    /// Iterations used for new hashes.
    public let iterations: Int
    /// A well-formed hash no password can match, for `dummyVerify`.
    private let dummyEncoded: String

    /// A hasher producing hashes with `iterations` rounds (1…`maxIterations`; Django uses 600 000+).
    public init(iterations: Int) {
        precondition((1...Self.maxIterations).contains(iterations), "PBKDF2 iterations must be 1…\(Self.maxIterations)")
        self.iterations = iterations
        let zeroKey = Base64.encode([UInt8](repeating: 0, count: Self.derivedKeyLength))
        dummyEncoded = "\(Self.algorithm)$\(iterations)$\(SecureRandom.alphanumeric(Self.saltLength))$\(zeroKey)"
    }

    /// Hashes `password` with a fresh random salt. (A password of 2 GiB or more, which OpenSSL
    /// cannot take, yields "", which never verifies.)
    public func hash(_ password: String) -> String {
        hash(password, salt: SecureRandom.alphanumeric(Self.saltLength)) ?? ""
    }

    /// Hashes `password` with the given salt; nil if the salt is empty, too long or contains `$`,
    /// or the password is too long for OpenSSL (≥ 2 GiB).
    public func hash(_ password: String, salt: String) -> String? {
        guard Self.isAcceptableSalt(Substring(salt)),
              let key = Self.derive(password, salt: Substring(salt), iterations: iterations) else { return nil }
        return "\(Self.algorithm)$\(iterations)$\(salt)$\(Base64.encode(key))"
    }

    /// Whether `password` matches `encoded`. Any malformed encoding (wrong algorithm, bad or huge
    /// iteration count, empty salt, …) is false; the final comparison is constant-time.
    public func verify(_ password: String, encoded: String) -> Bool {
        guard let parts = DjangoPBKDF2Hash(encoded),
              let key = Self.derive(password, salt: parts.salt, iterations: parts.iterations) else { return false }
        return constantTimeEquals(Array(Base64.encode(key).utf8), Array(parts.hash.utf8))
    }

    /// Spends the same time as a `verify` against a real hash, for unknown accounts, so response
    /// time does not reveal whether an account exists.
    public func dummyVerify(_ password: String) {
        _ = verify(password, encoded: dummyEncoded)
    }

    /// Whether `encoded` should be replaced by a fresh hash after a successful login: its iteration
    /// count differs from the configured one, its salt is shorter than Django's current entropy
    /// (as Django's `must_update`), or it is not a hash of this format at all.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let parts = DjangoPBKDF2Hash(encoded) else { return true }
        return parts.iterations != iterations || parts.salt.utf8.count < Self.saltLength
    }

    /// PBKDF2-HMAC-SHA256 of the UTF-8 password and salt; nil if a length does not fit OpenSSL's int.
    static func derive(_ password: String, salt: Substring, iterations: Int) -> [UInt8]? {
        var password = password
        var salt = salt
        return password.withUTF8 { pass -> [UInt8]? in
            salt.withUTF8 { saltBytes -> [UInt8]? in
                guard pass.count <= Int(Int32.max), saltBytes.count <= Int(Int32.max),
                      let iterationCount = Int32(exactly: iterations) else { return nil }
                var ok = false
                let key = [UInt8](unsafeUninitializedCapacity: derivedKeyLength) { out, initialized in
                    // OpenSSL reads no bytes for a zero length, but wants a non-null pointer.
                    var empty: CChar = 0
                    ok = withUnsafeMutablePointer(to: &empty) { emptyPointer -> Bool in
                        let passPointer = pass.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                            ?? UnsafePointer(emptyPointer)
                        let saltPointer = saltBytes.baseAddress
                            ?? UnsafeRawPointer(emptyPointer).assumingMemoryBound(to: UInt8.self)
                        return PKCS5_PBKDF2_HMAC(passPointer, Int32(pass.count), saltPointer, Int32(saltBytes.count),
                                                 iterationCount, EVP_sha256(), Int32(derivedKeyLength),
                                                 out.baseAddress) == 1
                    }
                    initialized = ok ? derivedKeyLength : 0
                }
                return ok ? key : nil
            }
        }
    }

    static func isAcceptableSalt(_ salt: Substring) -> Bool {
        !salt.isEmpty && salt.utf8.count <= maxSaltLength && !salt.utf8.contains(UInt8(ascii: "$"))
    }
}

/// The parts of a stored `pbkdf2_sha256$<iterations>$<salt>$<hash>` string, strictly parsed:
/// the iteration count must be canonical decimal (as Django re-encodes it before comparing).
struct DjangoPBKDF2Hash {
    let iterations: Int
    let salt: Substring
    let hash: Substring

    init?(_ encoded: String) {
        let parts = encoded.split(separator: "$", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == PasswordHasher.algorithm,
              let iterations = Self.parseIterations(parts[1]),
              PasswordHasher.isAcceptableSalt(parts[2]), !parts[3].isEmpty else { return nil }
        self.iterations = iterations
        salt = parts[2]
        hash = parts[3]
    }

    /// A positive decimal without sign or leading zeros, at most `PasswordHasher.maxIterations`.
    private static func parseIterations(_ s: Substring) -> Int? {
        let digits = s.utf8
        guard (1...8).contains(digits.count), digits.first != UInt8(ascii: "0") else { return nil }
        var value = 0
        for c in digits {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(c - UInt8(ascii: "0"))
        }
        return value <= PasswordHasher.maxIterations ? value : nil
    }
}
