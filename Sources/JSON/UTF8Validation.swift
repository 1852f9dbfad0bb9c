/// The one UTF-8 validator of the code base (RFC 3629: no overlong forms, no surrogates, nothing past
/// U+10FFFF), allocation-free. The JSON reader checks strings with it as it scans them.
public enum UTF8Validation {
    /// Whether all of `bytes` is valid UTF-8.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 {
                i += 1
            } else {
                guard let length = sequenceLength(bytes, at: i) else { return false }
                i += length
            }
        }
        return true
    }

    /// The length (2 to 4) of the valid multi-byte sequence whose lead byte (≥ 0x80) is at `i`, or nil.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        // The allowed range of the second byte depends on the lead byte (Unicode Table 3-7).
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuations: Int
        switch bytes[i] {
        case 0xC2...0xDF: continuations = 1
        case 0xE0: continuations = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuations = 2
        case 0xED: continuations = 2; high = 0x9F
        case 0xF0: continuations = 3; low = 0x90
        case 0xF1...0xF3: continuations = 3
        case 0xF4: continuations = 3; high = 0x8F
        default: return nil
        }
        guard bytes.count - i > continuations else { return nil }
        let second = bytes[i + 1]
        guard second >= low && second <= high else { return nil }
        var k = 2
        while k <= continuations {
            guard bytes[i + k] & 0xC0 == 0x80 else { return nil }
            k += 1
        }
        return continuations + 1
    }
}
