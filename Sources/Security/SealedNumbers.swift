import CCrypto

/// Small lists of integers turned into opaque text and back, e.g. the position key of a list's `next` link:
/// AES-128-CBC under a key of the caller's (derived from the application secret), so a client can hand the
/// text back but learns nothing from it — not the internal ids inside. A marker inside the sealed block makes
/// text that was not sealed with this key (or was altered) open to nil.
public struct SealedNumbers: Sendable {
    private static let marker: [UInt8] = Array("TSNA".utf8)
    /// At most this many numbers in one sealed text.
    public static let maxCount = 4
    private let key: [UInt8]

    /// `key`: at least 16 bytes (the first 16 are used).
    public init(key: [UInt8]) {
        precondition(key.count >= 16, "SealedNumbers needs a 16-byte key")
        self.key = Array(key.prefix(16))
    }

    /// base64url text of `numbers` (at most `maxCount`).
    public func seal(_ numbers: [Int64]) -> String {
        var plain = Self.marker + [UInt8(min(numbers.count, Self.maxCount))]
        for n in numbers.prefix(Self.maxCount) {
            withUnsafeBytes(of: n.littleEndian) { plain.append(contentsOf: $0) }
        }
        while plain.count % 16 != 0 { plain.append(0) }
        return Base64URL.encode(crypt(plain, encrypt: true) ?? [])
    }

    /// The numbers sealed in `text`, nil for anything else.
    public func open(_ text: Substring) -> [Int64]? {
        guard text.utf8.count <= 128, let sealed = Base64URL.decode(text), !sealed.isEmpty, sealed.count % 16 == 0,
              let plain = crypt(sealed, encrypt: false), plain.count >= 5, Array(plain.prefix(4)) == Self.marker else {
            return nil
        }
        let count = Int(plain[4])
        guard count <= Self.maxCount, 5 + 8 * count <= plain.count else { return nil }
        return (0..<count).map { i in
            var n: Int64 = 0
            withUnsafeMutableBytes(of: &n) { $0.copyBytes(from: plain[(5 + 8 * i)..<(13 + 8 * i)]) }
            return Int64(littleEndian: n)
        }
    }

    /// AES-128-CBC, fetched once per process: `EVP_aes_128_cbc()` in an init makes OpenSSL 3 fetch the
    /// implementation again on every call (locks and a provider walk), which cost more than the encryption.
    /// Unsafe only to the compiler: a fetched EVP_CIPHER is immutable and shared across threads.
    nonisolated(unsafe) private static let cipher: OpaquePointer = {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-128-CBC", nil) else { fatalError("OpenSSL has no AES-128-CBC") }
        return cipher
    }()

    /// One CBC pass without padding (inputs are whole blocks); a fixed IV keeps equal keys equal texts.
    private func crypt(_ input: [UInt8], encrypt: Bool) -> [UInt8]? {
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let iv = [UInt8](repeating: 0, count: 16)
        guard EVP_CipherInit_ex2(ctx, Self.cipher, key, iv, encrypt ? 1 : 0, nil) == 1 else { return nil }
        EVP_CIPHER_CTX_set_padding(ctx, 0)
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0, final: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out in
            EVP_CipherUpdate(ctx, out.baseAddress, &written, input, Int32(input.count)) == 1
                && EVP_CipherFinal_ex(ctx, out.baseAddress! + Int(written), &final) == 1
        }
        return ok ? Array(output.prefix(Int(written + final))) : nil
    }
}
