/// A JSON number that keeps its literal text, so integers of any size stay exact.
/// Equality compares the text: `1` and `1.0` are different numbers, as they are different literals.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The literal as written (RFC 8259 number grammar).
    public let text: String

    /// Trusted initialiser for text already matched against the number grammar.
    init(uncheckedText text: String) {
        self.text = text
    }

    /// The number `value`.
    public init(_ value: Int) {
        text = String(value)
    }

    /// The number `value`.
    public init(_ value: Int64) {
        text = String(value)
    }

    /// The shortest round-trip text of `value`; nil for NaN and infinities, which JSON cannot hold.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = value.description
    }

    /// `text` when it is exactly one JSON number (no sign '+', no leading zeros, no NaN), else nil.
    public init?(text: String) {
        var copy = text
        let valid = copy.withUTF8 { JSONNumberGrammar.matchLength($0, from: 0) == $0.count && !$0.isEmpty }
        guard valid else { return nil }
        self.text = text
    }

    /// True when the literal has no fraction and no exponent: "3" and "-0" are, "3.0" and "3e2" are not.
    public var isInteger: Bool {
        for byte in text.utf8 where byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") {
            return false
        }
        return true
    }

    /// The exact integer when the literal is an integer that fits in Int64, else nil.
    public var int64: Int64? {
        var utf8 = text.utf8.makeIterator()
        guard var byte = utf8.next() else { return nil }
        let negative = byte == UInt8(ascii: "-")
        if negative {
            guard let next = utf8.next() else { return nil }
            byte = next
        }
        // Accumulate negatively so that Int64.min is reachable.
        var value: Int64 = 0
        while true {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.subtractingReportingOverflow(Int64(digit))
            if o1 || o2 { return nil }
            value = sum
            guard let next = utf8.next() else { break }
            byte = next
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    /// The nearest Double; nil only when the magnitude is beyond Double's range.
    public var double: Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    public var description: String { text }
}

/// The RFC 8259 number grammar, shared by the parser and `JSONNumber(text:)`.
enum JSONNumberGrammar {
    /// Length of the longest valid number starting at `start` (0 when none). Like Python's scanner,
    /// a '.' or exponent not followed by digits is left out, so the caller reports the next token.
    @inline(__always)
    static func matchLength(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let end = p.count
        var i = start
        if i < end && p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, isDigit(p[i]) else { return 0 }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            i += 1
            while i < end && isDigit(p[i]) { i += 1 }
        }
        if i + 1 < end && p[i] == UInt8(ascii: ".") && isDigit(p[i + 1]) {
            i += 2
            while i < end && isDigit(p[i]) { i += 1 }
        }
        if i + 1 < end && p[i] | 0x20 == UInt8(ascii: "e") {
            var j = i + 1
            if p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-") { j += 1 }
            if j < end && isDigit(p[j]) {
                i = j + 1
                while i < end && isDigit(p[i]) { i += 1 }
            }
        }
        return i - start
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
