/// String tokens: UTF-8 validation, control characters and escapes, with Python's error positions.
extension JSONReader {
    /// Parses the string whose opening quote is at the cursor.
    mutating func parseString() throws(Failure) -> String {
        let quote = i
        i += 1
        var segment = i
        var escaped = false
        while true {
            skipPlainASCII()
            guard i < end else { break }
            let byte = p[i]
            if byte == UInt8(ascii: "\"") {
                let string: String
                if escaped {
                    appendSegment(from: segment)
                    string = scratch.withUnsafeBufferPointer { JSONBytes.string($0) }
                } else {
                    string = JSONBytes.string(UnsafeBufferPointer(rebasing: p[segment..<i]))
                }
                i += 1
                return string
            }
            if byte == UInt8(ascii: "\\") {
                if !escaped {
                    escaped = true
                    scratch.removeAll(keepingCapacity: true)
                }
                appendSegment(from: segment)
                try decodeEscape(stringStart: quote)
                segment = i
            } else if byte < 0x20 {
                throw Failure(.invalidControlCharacter, at: i)
            } else if byte < 0x80 {
                i += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw Failure(.unterminatedString, at: quote)
    }

    /// Advances over ASCII that needs no attention (not `"`, `\\`, a control byte or non-ASCII),
    /// eight bytes at a time, stopping exactly at the first byte that does.
    @inline(__always)
    mutating func skipPlainASCII() {
        guard let base = p.baseAddress else { return }
        var at = i
        while end - at >= 8 {
            let word = JSONBytes.word(base, at: at)
            let found = JSONBytes.nonASCIIFlags(word) | JSONBytes.controlFlags(word)
                | JSONBytes.flags(0x22, in: word) | JSONBytes.flags(0x5C, in: word)
            if found != 0 {
                i = at + found.trailingZeroBitCount >> 3
                return
            }
            at += 8
        }
        while at < end {
            let byte = base[at]
            if byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C { break }
            at += 1
        }
        i = at
    }

    @inline(__always)
    mutating func appendSegment(from start: Int) {
        if start < i, let base = p.baseAddress { JSONBytes.append(to: &scratch, from: base + start, count: i - start) }
    }

    /// Validates the multi-byte sequence at the cursor and steps over it.
    @inline(__always)
    mutating func skipUTF8Sequence() throws(Failure) {
        guard let length = UTF8Validation.sequenceLength(p, at: i) else { throw Failure(.invalidUTF8, at: i) }
        i += length
    }

    /// Decodes the escape whose backslash is at the cursor into `scratch`.
    mutating func decodeEscape(stringStart: Int) throws(Failure) {
        let backslash = i
        guard backslash + 1 < end else { throw Failure(.unterminatedString, at: stringStart) }
        let decoded: UInt8
        switch p[backslash + 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            try decodeUnicodeEscape(u: backslash + 1)
            return
        default:
            throw Failure(.invalidEscape, at: backslash)
        }
        scratch.append(decoded)
        i = backslash + 2
    }

    /// Decodes `\uXXXX` (and its low-surrogate partner) whose 'u' is at `u`; lone surrogates are rejected.
    mutating func decodeUnicodeEscape(u: Int) throws(Failure) {
        var scalar = try hex4(u: u)
        var next = u + 5
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            guard next + 1 < end && p[next] == UInt8(ascii: "\\") && p[next + 1] == UInt8(ascii: "u") else {
                throw Failure(.unpairedSurrogate, at: u)
            }
            let low = try hex4(u: next + 1)
            guard low >= 0xDC00 && low <= 0xDFFF else { throw Failure(.unpairedSurrogate, at: u) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
            throw Failure(.unpairedSurrogate, at: u)
        }
        appendUTF8(scalar)
        i = next
    }

    /// The four hex digits after the 'u' at `u`. Like Python, the escape must not end the input.
    @inline(__always)
    func hex4(u: Int) throws(Failure) -> UInt32 {
        guard end - u > 5 else { throw Failure(.invalidUnicodeEscape, at: u) }
        var value: UInt32 = 0
        for k in 1...4 {
            let byte = p[u + k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(.invalidUnicodeEscape, at: u)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends a scalar (never a surrogate, ≤ U+10FFFF) as UTF-8.
    @inline(__always)
    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }
}
