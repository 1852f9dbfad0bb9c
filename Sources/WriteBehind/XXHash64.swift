/// XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0): the snapshot checksum. Fast (several GB/s)
/// and catches torn writes and flipped bits; not a defence against deliberate tampering.
enum XXHash64 {
    private static let p1: UInt64 = 11_400_714_785_074_694_791
    private static let p2: UInt64 = 14_029_467_366_897_019_727
    private static let p3: UInt64 = 1_609_587_929_392_839_161
    private static let p4: UInt64 = 9_650_029_242_287_828_579
    private static let p5: UInt64 = 2_870_177_450_012_600_261

    /// The hash of `bytes[range]`.
    static func hash(_ bytes: [UInt8], _ range: Range<Int>, seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            hash(UnsafeRawBufferPointer(rebasing: raw[range]), seed: seed)
        }
    }

    /// The hash of a buffer.
    static func hash(_ buf: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = buf.count
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2
            var v2 = seed &+ p2
            var v3 = seed
            var v4 = seed &- p1
            while n - i >= 32 {
                v1 = round(v1, load64(buf, i))
                v2 = round(v2, load64(buf, i + 8))
                v3 = round(v3, load64(buf, i + 16))
                v4 = round(v4, load64(buf, i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h &+= UInt64(n)
        while n - i >= 8 {
            h ^= round(0, load64(buf, i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if n - i >= 4 {
            h ^= UInt64(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(buf[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33
        h &*= p2
        h ^= h >> 29
        h &*= p3
        h ^= h >> 32
        return h
    }

    @inline(__always) private static func load64(_ buf: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }
}
