// Base64 in both alphabets (RFC 4648 §4 standard, §5 URL-safe), without Foundation so the JWT path
// neither allocates Data nor goes through NSString.

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as used by JWT and signed URLs.
public enum Base64URL {
    /// Encodes bytes with the URL-safe alphabet, without `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.encodeString(bytes, alphabet: .url)
    }

    /// Decodes unpadded URL-safe Base64; nil on any character outside the alphabet (including `=`),
    /// an impossible length, or non-zero trailing bits (so each byte string has exactly one encoding).
    public static func decode(_ s: Substring) -> [UInt8]? {
        Base64Codec.decodeArray(s, alphabet: .url)
    }
}

/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4), as in Django password hashes.
public enum Base64 {
    /// Encodes bytes with the standard alphabet, padded with `=` to a multiple of 4.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.encodeString(bytes, alphabet: .standard)
    }

    /// Decodes padded standard Base64; nil on bad characters, missing or misplaced padding, or
    /// non-zero trailing bits.
    public static func decode(_ s: Substring) -> [UInt8]? {
        Base64Codec.decodeArray(s, alphabet: .standard)
    }
}

/// The shared encoder/decoder over raw buffers.
enum Base64Codec {
    enum Alphabet {
        case standard, url

        /// Whether output is padded with `=` (and input must be).
        var padded: Bool { self == .standard }

        /// The 64 symbols, from static storage (no lazy global initialisation on the hot path).
        var symbols: UnsafePointer<UInt8> {
            switch self {
            case .standard:
                let s: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                return s.utf8Start
            case .url:
                let s: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                return s.utf8Start
            }
        }

        /// The 6-bit value of an input character, or 0xFF if it is not in the alphabet.
        @inline(__always)
        func value(of c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c &- 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return c &- 71
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &+ 4
            case UInt8(ascii: "-"): return self == .url ? 62 : 0xFF
            case UInt8(ascii: "_"): return self == .url ? 63 : 0xFF
            case UInt8(ascii: "+"): return self == .standard ? 62 : 0xFF
            case UInt8(ascii: "/"): return self == .standard ? 63 : 0xFF
            default: return 0xFF
            }
        }
    }

    /// Number of characters `encode` writes for `count` input bytes.
    static func encodedLength(_ count: Int, alphabet: Alphabet) -> Int {
        let full = (count / 3) * 4
        switch count % 3 {
        case 0: return full
        default: return full + (alphabet.padded ? 4 : (count % 3) + 1)
        }
    }

    /// Writes the encoding of `src` to `dst` (which holds at least `encodedLength` bytes); returns the count.
    static func encode(_ src: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutableBufferPointer<UInt8>,
                       alphabet: Alphabet) -> Int {
        let table = alphabet.symbols
        var i = 0, o = 0
        let n = src.count
        while i + 3 <= n {
            let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
            dst[o] = table[Int(v >> 18)]
            dst[o + 1] = table[Int(v >> 12 & 63)]
            dst[o + 2] = table[Int(v >> 6 & 63)]
            dst[o + 3] = table[Int(v & 63)]
            i += 3
            o += 4
        }
        let rest = n - i
        if rest > 0 {
            let v = UInt32(src[i]) << 16 | (rest == 2 ? UInt32(src[i + 1]) << 8 : 0)
            dst[o] = table[Int(v >> 18)]
            dst[o + 1] = table[Int(v >> 12 & 63)]
            o += 2
            if rest == 2 {
                dst[o] = table[Int(v >> 6 & 63)]
                o += 1
            }
            if alphabet.padded {
                while o % 4 != 0 {
                    dst[o] = UInt8(ascii: "=")
                    o += 1
                }
            }
        }
        return o
    }

    /// Number of bytes `src` decodes to, or nil if its length (and padding) cannot be valid.
    /// On success `dataCount` is the number of non-padding characters.
    static func decodedLength(_ src: UnsafeBufferPointer<UInt8>, alphabet: Alphabet) -> (bytes: Int, dataCount: Int)? {
        var n = src.count
        if alphabet.padded {
            guard n % 4 == 0 else { return nil }
            if n > 0 && src[n - 1] == UInt8(ascii: "=") { n -= 1 }
            if n > 0 && src[n - 1] == UInt8(ascii: "=") { n -= 1 }
        }
        switch n % 4 {
        case 0: return (n / 4 * 3, n)
        case 2: return (n / 4 * 3 + 1, n)
        case 3: return (n / 4 * 3 + 2, n)
        default: return nil
        }
    }

    /// Decodes `src` into `dst` (at least `decodedLength` bytes); returns the byte count, or nil on bad input.
    static func decode(_ src: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutableBufferPointer<UInt8>,
                       alphabet: Alphabet) -> Int? {
        guard let (count, n) = decodedLength(src, alphabet: alphabet), dst.count >= count else { return nil }
        var i = 0, o = 0
        while i + 4 <= n {
            let a = alphabet.value(of: src[i]), b = alphabet.value(of: src[i + 1])
            let c = alphabet.value(of: src[i + 2]), d = alphabet.value(of: src[i + 3])
            guard (a | b | c | d) & 0xC0 == 0 else { return nil }
            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            dst[o] = UInt8(truncatingIfNeeded: v >> 16)
            dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
            dst[o + 2] = UInt8(truncatingIfNeeded: v)
            i += 4
            o += 3
        }
        let rest = n - i
        if rest >= 2 {
            let a = alphabet.value(of: src[i]), b = alphabet.value(of: src[i + 1])
            let c = rest == 3 ? alphabet.value(of: src[i + 2]) : 0
            guard (a | b | c) & 0xC0 == 0 else { return nil }
            // Bits past the last whole byte must be zero, or two strings would decode alike.
            guard rest == 3 ? c & 0x03 == 0 : b & 0x0F == 0 else { return nil }
            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
            dst[o] = UInt8(truncatingIfNeeded: v >> 16)
            o += 1
            if rest == 3 {
                dst[o] = UInt8(truncatingIfNeeded: v >> 8)
                o += 1
            }
        }
        return o
    }

    static func encodeString(_ bytes: some Collection<UInt8>, alphabet: Alphabet) -> String {
        if let s = bytes.withContiguousStorageIfAvailable({ encodeString($0, alphabet: alphabet) }) {
            return s
        }
        return Array(bytes).withUnsafeBufferPointer { encodeString($0, alphabet: alphabet) }
    }

    static func encodeString(_ src: UnsafeBufferPointer<UInt8>, alphabet: Alphabet) -> String {
        let length = encodedLength(src.count, alphabet: alphabet)
        return String(unsafeUninitializedCapacity: length) { encode(src, into: $0, alphabet: alphabet) }
    }

    static func decodeArray(_ s: Substring, alphabet: Alphabet) -> [UInt8]? {
        var s = s
        return s.withUTF8 { src -> [UInt8]? in
            guard let (count, _) = decodedLength(src, alphabet: alphabet) else { return nil }
            var ok = true
            let out = [UInt8](unsafeUninitializedCapacity: count) { dst, initialized in
                if let written = decode(src, into: dst, alphabet: alphabet) {
                    initialized = written
                } else {
                    ok = false
                    initialized = 0
                }
            }
            return ok ? out : nil
        }
    }
}
