#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only view of raw bytes with pointer helpers; keeps the scanning loops free of optionals.
struct ByteView {
    let base: UnsafePointer<UInt8>
    let count: Int

    /// nil for an empty buffer (which has no base address).
    init?(_ buffer: UnsafeRawBufferPointer) {
        guard let raw = buffer.baseAddress, buffer.count > 0 else { return nil }
        base = raw.assumingMemoryBound(to: UInt8.self)
        count = buffer.count
    }

    @inline(__always)
    subscript(i: Int) -> UInt8 { base[i] }

    /// Index of the first `byte` in [from, to), or nil.
    @inline(__always)
    func find(_ byte: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// A String made from the bytes [from, to), decoded as UTF-8 (invalid sequences repaired).
    @inline(__always)
    func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
    }

    /// True when [from, to) is exactly the bytes of `literal`.
    @inline(__always)
    func equals(_ from: Int, _ to: Int, _ literal: StaticString) -> Bool {
        to - from == literal.utf8CodeUnitCount && memcmp(base + from, literal.utf8Start, to - from) == 0
    }

    /// True when [from, to) equals `lowercaseLiteral` ignoring ASCII case (the literal must be lowercase).
    @inline(__always)
    func equalsIgnoringCase(_ from: Int, _ to: Int, _ lowercaseLiteral: StaticString) -> Bool {
        let n = to - from
        guard n == lowercaseLiteral.utf8CodeUnitCount else { return false }
        let lit = UnsafeRawPointer(lowercaseLiteral.utf8Start)
        if n >= 8 {
            // Whole words, the last one overlapping: the common names and values are 8+ bytes.
            var k = 0
            while true {
                let x = Self.lowercased(word(from + k))
                if x != UInt64(littleEndian: lit.loadUnaligned(fromByteOffset: k, as: UInt64.self)) { return false }
                if k == n - 8 { return true }
                k = min(k + 8, n - 8)
            }
        }
        for k in 0..<n where ByteClass.lower(base[from + k]) != lit.load(fromByteOffset: k, as: UInt8.self) {
            return false
        }
        return true
    }

    /// ASCII lower-casing of the eight bytes of a word; other bytes unchanged.
    @inline(__always)
    private static func lowercased(_ x: UInt64) -> UInt64 {
        let low7 = x & ~highs
        let aboveZ = low7 &+ ones &* 0x25  // high bit set where byte > 'Z' (0x5A)
        let atLeastA = low7 &+ ones &* 0x3F  // high bit set where byte >= 'A' (0x41)
        let upper = atLeastA & ~aboveZ & ~x & highs
        return x | (upper >> 2)
    }

    // Word-at-a-time checks (SWAR, "Bit Twiddling Hacks"): a flag is set in a lane's high bit when the
    // condition holds for some byte of the word. Exact for "does any byte match", which is all we ask.
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    private static func anyByteBelow(_ x: UInt64, _ n: UInt8) -> Bool {
        (x &- ones &* UInt64(n)) & ~x & highs != 0
    }

    @inline(__always)
    private static func anyByteEqual(_ x: UInt64, _ b: UInt8) -> Bool {
        let y = x ^ (ones &* UInt64(b))
        return (y &- ones) & ~y & highs != 0
    }

    @inline(__always)
    private func word(_ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
    }

    /// True when every byte in [from, to) is visible ASCII (0x21-0x7E).
    func isVisibleASCII(_ from: Int, _ to: Int) -> Bool {
        if to - from >= 8 {
            // Whole words; the last one overlaps its predecessor instead of a byte-by-byte tail.
            var i = from
            while true {
                let x = word(i)
                if x & Self.highs != 0 || Self.anyByteBelow(x, 0x21) || Self.anyByteEqual(x, 0x7F) { return false }
                if i == to - 8 { return true }
                i = min(i + 8, to - 8)
            }
        }
        for i in from..<max(from, to) where base[i] < 0x21 || base[i] > 0x7E { return false }
        return true
    }

    /// Checks that [from, to) holds only field-value bytes; nil if not, else whether any byte is >= 0x80.
    func fieldValueHasHighBytes(_ from: Int, _ to: Int) -> Bool? {
        if to - from >= 8 {
            var seen: UInt64 = 0
            var i = from
            while true {
                let x = word(i)
                if Self.anyByteBelow(x, 0x20) || Self.anyByteEqual(x, 0x7F) {
                    // Rare: a tab, or a byte that is really invalid. Decide byte by byte.
                    for k in i..<(i + 8) where !ByteClass.isFieldValueByte(base[k]) { return nil }
                }
                seen |= x
                if i == to - 8 { return seen & Self.highs != 0 }
                i = min(i + 8, to - 8)
            }
        }
        var seen: UInt8 = 0
        for i in from..<max(from, to) {
            let b = base[i]
            if !ByteClass.isFieldValueByte(b) { return nil }
            seen |= b
        }
        return seen >= 0x80
    }
}
