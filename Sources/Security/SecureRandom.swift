import CCrypto

/// Cryptographically secure randomness from OpenSSL's RAND_bytes (seeded by the OS).
public enum SecureRandom {
    /// `count` random bytes (none if `count` ≤ 0). Traps only if the OS random generator fails.
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills a buffer with random bytes. Traps only if the OS random generator fails.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var p = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var left = buffer.count
        while left > 0 {
            let chunk = min(left, Int(Int32.max))
            guard RAND_bytes(p, Int32(chunk)) == 1 else {
                fatalError("RAND_bytes failed: the system random generator is unavailable")
            }
            p += chunk
            left -= chunk
        }
    }

    /// A random (version 4) UUID in lowercase canonical form, e.g. `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
    public static func uuidV4() -> String {
        var raw = bytes(16)
        raw[6] = raw[6] & 0x0F | 0x40  // version 4
        raw[8] = raw[8] & 0x3F | 0x80  // RFC 4122 variant (10xx)
        let hex = Array(Hex.encode(raw).utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytes` random bytes as unpadded base64url: an opaque token safe in URLs and headers.
    public static func token(bytes count: Int) -> String {
        Base64URL.encode(bytes(count))
    }

    /// `count` characters drawn uniformly from [A-Za-z0-9] (like Django's `get_random_string`).
    public static func alphanumeric(_ count: Int) -> String {
        guard count > 0 else { return "" }
        let alphabet: StaticString = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        let table = alphabet.utf8Start
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            // Rejection sampling: 248 = 4 × 62, so bytes below it map uniformly onto the alphabet.
            for b in bytes(count - out.count + 8) where b < 248 && out.count < count {
                out.append(table[Int(b % 62)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
