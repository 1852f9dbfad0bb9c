/// Signed, expiring URLs: `signature = base64url(HMAC-SHA256(key, path + "\n" + expires))`.
public struct URLSigner: Sendable {
    /// Longest `expires` value accepted, in digits (keeps it within Int64).
    static let maxExpiresDigits = 18

    private let key: HMACKey

    /// A signer for `key` (the caller derives it from the application secret).
    public init(key: [UInt8]) {
        self.key = HMACKey(key)
    }

    /// The signature of `path` valid until `expires` (seconds since the epoch).
    public func signature(path: String, expires: Int64) -> String {
        signature(path: path, expiresText: String(expires))
    }

    /// The query string `expires=…&signature=…` to append to `path`.
    public func query(path: String, expires: Int64) -> String {
        "expires=\(expires)&signature=\(signature(path: path, expires: expires))"
    }

    /// Whether the query values authorise `path` at `now`: both present, `expires` plain decimal
    /// digits and later than `now`, and the signature matching (constant-time).
    public func verify(path: String, expires: String?, signature: String?, now: Int64) -> Bool {
        guard let expires, let signature, let deadline = Self.parseExpires(expires), deadline > now,
              signature.utf8.count == JWTSigner.signatureLength else { return false }
        // Sign the text as given: only the exact signed spelling of `expires` verifies.
        let expected = self.signature(path: path, expiresText: expires)
        return constantTimeEquals(Array(expected.utf8), Array(signature.utf8))
    }

    private func signature(path: String, expiresText: String) -> String {
        var message = path
        message += "\n"
        message += expiresText
        return Base64URL.encode(message.withUTF8 { key.mac(UnsafeRawBufferPointer($0)) })
    }

    private static func parseExpires(_ s: String) -> Int64? {
        guard (1...maxExpiresDigits).contains(s.utf8.count) else { return nil }
        var value: Int64 = 0
        for c in s.utf8 {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return value
    }
}
