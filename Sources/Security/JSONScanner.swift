// A strict, bounded JSON reader for small documents such as JWT headers and claims. It reads one
// object's members in order, decodes strings and integers, and skips (while fully validating) values
// of any other type. It never traps on hostile input: nesting is capped, integers are range-checked,
// and all reads are bounds-checked against the buffer.

/// The input is not valid JSON, or not the JSON type the caller asked for.
struct JSONScanError: Error {}

struct JSONScanner {
    /// Deepest nesting of arrays/objects accepted inside a skipped value.
    static let maxDepth = 32

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var atFirstMember = true

    /// Scans `bytes`, which must be valid UTF-8 (checked once here, so string reads need not re-check).
    init(validatingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(JSONScanError) {
        guard UTF8Validation.isValid(bytes) else { throw JSONScanError() }
        self.bytes = bytes
    }

    // MARK: The top-level object

    /// Consumes the opening `{` of the top-level object.
    mutating func beginObject() throws(JSONScanError) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        atFirstMember = true
    }

    /// Consumes the next member's key and the `:` after it, leaving the value to be read or skipped;
    /// nil once the closing `}` is consumed.
    mutating func nextKey() throws(JSONScanError) -> String? {
        skipWhitespace()
        guard position < bytes.count else { throw JSONScanError() }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        if !atFirstMember {
            try expect(UInt8(ascii: ","))
            skipWhitespace()
        }
        atFirstMember = false
        let key = try readString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Checks that only whitespace follows the value just read.
    mutating func finish() throws(JSONScanError) {
        skipWhitespace()
        guard position == bytes.count else { throw JSONScanError() }
    }

    // MARK: Values

    /// Whether the next value is a string (so `readString` will not fail on its type).
    mutating func nextIsString() -> Bool {
        skipWhitespace()
        return peek() == UInt8(ascii: "\"")
    }

    /// Reads a string value.
    mutating func readString() throws(JSONScanError) -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = position
        // Fast path: no escapes, so the string is a slice of the (already validated) input.
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw JSONScanError() }
            position += 1
        }
        var out = Array(bytes[start..<position])
        try scanEscapedString(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a number as an Int64, truncating any fraction toward zero; throws if out of range.
    mutating func readInteger() throws(JSONScanError) -> Int64 {
        skipWhitespace()
        let start = position
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = position
        while let c = peek(), c &- UInt8(ascii: "0") < 10 {
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(c &- UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = m2
            position += 1
        }
        let digitCount = position - digitsStart
        guard digitCount > 0 else { throw JSONScanError() }
        guard digitCount == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw JSONScanError() }
        var hasExponent = false
        if peek() == UInt8(ascii: ".") {
            position += 1
            try skipDigits()
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            hasExponent = true
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            try skipDigits()
        }
        if hasExponent {
            // Rare form (e.g. 1.7e9): let the standard library parse the validated lexeme.
            let lexeme = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let d = Double(lexeme), d.isFinite,
                  d > -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { throw JSONScanError() }
            return Int64(d.rounded(.towardZero))
        }
        guard !overflow else { throw JSONScanError() }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw JSONScanError() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw JSONScanError() }
        return Int64(magnitude)
    }

    /// Skips one value of any type, validating it.
    mutating func skipValue() throws(JSONScanError) {
        try skipValue(depth: 0)
    }

    // MARK: Internals

    private mutating func skipValue(depth: Int) throws(JSONScanError) {
        skipWhitespace()
        guard let c = peek() else { throw JSONScanError() }
        switch c {
        case UInt8(ascii: "\""):
            position += 1
            try skipStringBody()
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw JSONScanError() }
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { position += 1; return }
            while true {
                skipWhitespace()
                try expect(UInt8(ascii: "\""))
                try skipStringBody()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw JSONScanError() }
                position += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw JSONScanError() }
            }
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw JSONScanError() }
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { position += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw JSONScanError() }
                position += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw JSONScanError() }
            }
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default:
            try skipNumber()
        }
    }

    /// Skips a string whose opening quote is consumed, validating escapes.
    private mutating func skipStringBody() throws(JSONScanError) {
        while let c = peek() {
            position += 1
            switch c {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard let e = peek() else { throw JSONScanError() }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    _ = try readUnicodeEscape()
                default:
                    throw JSONScanError()
                }
            default:
                guard c >= 0x20 else { throw JSONScanError() }
            }
        }
        throw JSONScanError()
    }

    /// Continues a string at a backslash, appending decoded bytes to `out`, through the closing quote.
    private mutating func scanEscapedString(into out: inout [UInt8]) throws(JSONScanError) {
        while let c = peek() {
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                guard let e = peek() else { throw JSONScanError() }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try readUnicodeEscape()
                    out.append(contentsOf: scalar.utf8)
                default:
                    throw JSONScanError()
                }
            default:
                guard c >= 0x20 else { throw JSONScanError() }
                out.append(c)
            }
        }
        throw JSONScanError()
    }

    /// Reads the XXXX of a `\uXXXX` escape (the `\u` consumed), joining a surrogate pair into one
    /// scalar; a lone surrogate is rejected since it is not a Unicode scalar.
    private mutating func readUnicodeEscape() throws(JSONScanError) -> Unicode.Scalar {
        let first = try readHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard peek() == UInt8(ascii: "\\") else { throw JSONScanError() }
            position += 1
            guard peek() == UInt8(ascii: "u") else { throw JSONScanError() }
            position += 1
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw JSONScanError() }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw JSONScanError() }
            return scalar
        case 0xDC00...0xDFFF:
            throw JSONScanError()
        default:
            guard let scalar = Unicode.Scalar(first) else { throw JSONScanError() }
            return scalar
        }
    }

    private mutating func readHex4() throws(JSONScanError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw JSONScanError() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw JSONScanError()
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Skips a number, validating the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func skipNumber() throws(JSONScanError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first &- UInt8(ascii: "0") < 10 else { throw JSONScanError() }
        position += 1
        if first != UInt8(ascii: "0") {
            while let c = peek(), c &- UInt8(ascii: "0") < 10 { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            try skipDigits()
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            try skipDigits()
        }
    }

    /// Skips one or more decimal digits.
    private mutating func skipDigits() throws(JSONScanError) {
        let start = position
        while let c = peek(), c &- UInt8(ascii: "0") < 10 { position += 1 }
        guard position > start else { throw JSONScanError() }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONScanError) {
        let n = literal.utf8CodeUnitCount
        guard bytes.count - position >= n else { throw JSONScanError() }
        let p = literal.utf8Start
        for i in 0..<n where bytes[position + i] != p[i] { throw JSONScanError() }
        position += n
    }

    @inline(__always)
    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    @inline(__always)
    private mutating func expect(_ c: UInt8) throws(JSONScanError) {
        guard position < bytes.count, bytes[position] == c else { throw JSONScanError() }
        position += 1
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }
}
