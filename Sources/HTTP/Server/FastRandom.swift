/// xoshiro256** seeded from the system's random source: request ids need uniqueness, not secrecy.
struct FastRandom {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    init() {
        var g = SystemRandomNumberGenerator()
        s = (g.next(), g.next(), g.next(), g.next() | 1)
    }
    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }
    /// A version-4 UUID string.
    mutating func uuid() -> String {
        var a = next(), b = next()
        a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var pos = 0
        for (i, word) in [a, b].enumerated() {
            for nibble in 0..<16 {
                if pos == 8 || pos == 13 || pos == 18 || pos == 23 { pos += 1 }
                let shift = UInt64(60 - nibble * 4)
                out[pos] = hex[Int((word >> shift) & 0xF)]
                pos += 1
            }
            _ = i
        }
        return String(decoding: out, as: UTF8.self)
    }
}
