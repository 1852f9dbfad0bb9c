/// Appends `s` as a JSON string literal (quoted, escaped as `JSONWriter` escapes strings) to `out`.
public func appendJSONString(_ s: String, to out: inout [UInt8]) {
    JSONEscaping.appendQuoted(s, to: &out, comma: false, colon: false)
}

/// The one JSON string escaper: quotes, backslashes, control characters and U+2028/U+2029 are escaped, the rest is
/// copied as UTF-8. Sizes are computed exactly first so that output space is reserved once, never 6× the
/// input; text that needs no escaping — nearly all of it — is copied in one go.
enum JSONEscaping {
    @inline(__always)
    static func appendQuoted(_ s: String, to out: inout [UInt8], comma: Bool, colon: Bool) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ appendQuoted($0, to: &out, comma: comma, colon: colon) }) {
            return done
        }
        var contiguous = s
        contiguous.withUTF8 { appendQuoted($0, to: &out, comma: comma, colon: colon) }
    }

    /// Appends `s` quoted (with an optional leading comma and trailing colon) in a single reservation.
    @inline(__always)
    static func appendQuoted(_ s: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8], comma: Bool, colon: Bool) {
        let count = s.count
        let first = JSONBytes.firstByteNeedingEscape(s, from: 0)
        let escapedCount = first == count ? count : escapedLength(s, from: first)
        JSONBytes.append(to: &bytes, reserving: escapedCount + 4) { out in
            var at = 0
            if comma { out[at] = UInt8(ascii: ","); at += 1 }
            out[at] = UInt8(ascii: "\""); at += 1
            if first == count {
                if let source = s.baseAddress { JSONBytes.copy(source, to: out + at, count: count) }
                at += count
            } else {
                at += writeEscaped(s, firstEscape: first, to: out + at)
            }
            out[at] = UInt8(ascii: "\""); at += 1
            if colon { out[at] = UInt8(ascii: ":"); at += 1 }
            return at
        }
    }

    /// Bytes one input byte becomes: 1 (itself), 2 (`\n`-style) or 6 (`\u00XX`). Meaningful below 0x80.
    @inline(__always)
    private static func escapedWidth(_ byte: UInt8) -> Int {
        switch byte {
        case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: return 2
        case 0..<0x20: return 6
        default: return 1
        }
    }

    /// True when `s[i]` starts U+2028 (E2 80 A8) or U+2029 (E2 80 A9).
    @inline(__always)
    private static func isSeparator(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        s[i] == 0xE2 && s.count - i > 2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)
    }

    /// Length of the escaped form of `s` (without quotes); bytes before `start` need no escaping.
    static func escapedLength(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var length = start
        var i = start
        while i < s.count {
            if isSeparator(s, at: i) {
                length += 6
                i += 3
            } else {
                length += escapedWidth(s[i])
                i += 1
            }
        }
        return length
    }

    /// Writes the escaped form of `s` at `out` (room for `escapedLength` bytes); returns its length.
    static func writeEscaped(_ s: UnsafeBufferPointer<UInt8>, firstEscape: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let source = s.baseAddress else { return 0 }
        var at = 0
        var run = 0
        var i = firstEscape
        let count = s.count
        while i < count {
            let byte = s[i]
            let separator = isSeparator(s, at: i)
            guard separator || byte < 0x20 || byte == 0x22 || byte == 0x5C else {
                i += 1
                continue
            }
            (out + at).initialize(from: source + run, count: i - run)
            at += i - run
            if separator {
                at += write("\\u202", to: out + at)
                out[at] = s[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")
                at += 1
                i += 3
                run = i
                continue
            }
            switch byte {
            case 0x22: at += write("\\\"", to: out + at)
            case 0x5C: at += write("\\\\", to: out + at)
            case 0x0A: at += write("\\n", to: out + at)
            case 0x0D: at += write("\\r", to: out + at)
            case 0x09: at += write("\\t", to: out + at)
            case 0x08: at += write("\\b", to: out + at)
            case 0x0C: at += write("\\f", to: out + at)
            default:
                at += write("\\u00", to: out + at)
                out[at] = hexDigit(byte >> 4)
                out[at + 1] = hexDigit(byte & 0x0F)
                at += 2
            }
            i += 1
            run = i
            // Jump over the next clean stretch a word at a time.
            i = JSONBytes.firstByteNeedingEscape(s, from: i)
        }
        (out + at).initialize(from: source + run, count: count - run)
        return at + count - run
    }

    @inline(__always)
    private static func write(_ text: StaticString, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out.initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return text.utf8CodeUnitCount
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
}
