/// Streaming JSON encoder appending UTF-8 straight into a byte array (no intermediate String).
/// Commas are inserted automatically. Output is compact (no spaces), as Django REST framework renders.
public struct JSONWriter {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8]
    /// Whether the current container (or the top level) already holds a member or element.
    private var hasElement = false
    /// Whether a key was just written, so the next value follows its ':' without a comma.
    private var afterKey = false

    /// An empty writer reserving `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(max(capacity, 0))
    }

    /// Empties the writer, keeping its storage for reuse.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasElement = false
        afterKey = false
    }

    /// Whether the value about to be written needs a leading comma; updates the state for it.
    /// Entering a container always leaves the outer one non-empty, so closing one needs no stack:
    /// the outer state is simply `hasElement = true`.
    @inline(__always)
    private mutating func needsComma() -> Bool {
        if afterKey {
            afterKey = false
            return false
        }
        if hasElement { return true }
        hasElement = true
        return false
    }

    /// Opens an object.
    public mutating func beginObject() {
        open(UInt8(ascii: "{"))
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    /// Opens an array.
    public mutating func beginArray() {
        open(UInt8(ascii: "["))
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    @inline(__always)
    private mutating func open(_ bracket: UInt8) {
        if needsComma() {
            JSONBytes.append(to: &bytes, reserving: 2) { out in
                out[0] = UInt8(ascii: ",")
                out[1] = bracket
                return 2
            }
        } else {
            bytes.append(bracket)
        }
        hasElement = false
    }

    @inline(__always)
    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        hasElement = true
        afterKey = false
    }

    /// Writes a member key from a literal (no String involved); the value must follow.
    public mutating func key(_ k: StaticString) {
        let comma = keyNeedsComma()
        k.withUTF8Buffer { JSONEscaping.appendQuoted($0, to: &bytes, comma: comma, colon: true) }
        afterKey = true
    }

    /// Writes a member key; the value must follow. (Disfavoured so that literals take the StaticString path.)
    @_disfavoredOverload
    public mutating func key(_ k: String) {
        let comma = keyNeedsComma()
        appendQuoted(k, comma: comma, colon: true)
        afterKey = true
    }

    @inline(__always)
    private mutating func keyNeedsComma() -> Bool {
        afterKey = false
        if hasElement { return true }
        hasElement = true
        return false
    }

    /// Writes a string value.
    public mutating func string(_ s: String) {
        appendQuoted(s, comma: needsComma(), colon: false)
    }

    /// Writes a string value, or null for nil.
    public mutating func string(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    /// Writes an integer value.
    public mutating func int(_ v: Int) {
        let comma = needsComma()
        JSONBytes.append(to: &bytes, reserving: 21) { out in
            var at = 0
            if comma { out[0] = UInt8(ascii: ","); at = 1 }
            return at + Self.writeDecimal(v, to: out + at)
        }
    }

    /// Writes an integer value, or null for nil.
    public mutating func int(_ v: Int?) {
        if let v { int(v) } else { null() }
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ v: Bool) {
        appendToken(v ? "true" : "false")
    }

    /// Writes `null`.
    public mutating func null() {
        appendToken("null")
    }

    /// Writes the shortest round-trip representation of `v`, or null for NaN and infinities.
    public mutating func double(_ v: Double) {
        guard v.isFinite else { return null() }
        appendVerbatim(v.description)
    }

    /// Writes a number, keeping its literal text.
    public mutating func number(_ n: JSONNumber) {
        appendVerbatim(n.text)
    }

    /// Writes an already-encoded JSON value verbatim.
    public mutating func raw(_ fragment: [UInt8]) {
        if needsComma() { bytes.append(UInt8(ascii: ",")) }
        fragment.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { JSONBytes.append(to: &bytes, from: base, count: buffer.count) }
        }
    }

    /// Writes a whole value tree.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): number(n)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements { value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                value(member.value)
            }
            endObject()
        }
    }

    // MARK: Byte output

    @inline(__always)
    private mutating func appendToken(_ token: StaticString) {
        let comma = needsComma()
        let count = token.utf8CodeUnitCount
        let source = token.utf8Start
        JSONBytes.append(to: &bytes, reserving: count + 1) { out in
            var at = 0
            if comma { out[0] = UInt8(ascii: ","); at = 1 }
            JSONBytes.copy(source, to: out + at, count: count)
            return at + count
        }
    }

    /// Appends ASCII text that needs no escaping (number literals).
    private mutating func appendVerbatim(_ text: String) {
        let comma = needsComma()
        var text = text
        text.withUTF8 { utf8 in
            guard let source = utf8.baseAddress else { return }
            let count = utf8.count
            JSONBytes.append(to: &bytes, reserving: count + 1) { out in
                var at = 0
                if comma { out[0] = UInt8(ascii: ","); at = 1 }
                JSONBytes.copy(source, to: out + at, count: count)
                return at + count
            }
        }
    }

    /// Writes `v` in decimal at `out` (room for 20 bytes) and returns the length.
    @inline(__always)
    private static func writeDecimal(_ v: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = v.magnitude
        var length = v < 0 ? 1 : 0
        var probe = magnitude
        while probe >= 100 {
            length += 2
            probe /= 100
        }
        length += probe >= 10 ? 2 : 1
        if v < 0 { out[0] = UInt8(ascii: "-") }
        // Two digits per division, from the right.
        let pairs = digitPairs.utf8Start
        var position = length
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
            magnitude /= 100
            position -= 2
            out[position] = pairs[pair]
            out[position + 1] = pairs[pair + 1]
        }
        if magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude) &* 2
            out[position - 2] = pairs[pair]
            out[position - 1] = pairs[pair + 1]
        } else {
            out[position - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
        }
        return length
    }

    /// "00" through "99", for two digits per division.
    private static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    @inline(__always)
    private mutating func appendQuoted(_ s: String, comma: Bool, colon: Bool) {
        JSONEscaping.appendQuoted(s, to: &bytes, comma: comma, colon: colon)
    }
}

extension JSONValue {
    /// The compact UTF-8 encoding of this value.
    public var encoded: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }
}
