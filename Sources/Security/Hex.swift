/// Lowercase hexadecimal.
public enum Hex {
    /// Encodes bytes as lowercase hex, two characters per byte.
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { src in
            String(unsafeUninitializedCapacity: src.count * 2) { dst in
                let digits: StaticString = "0123456789abcdef"
                let table = digits.utf8Start
                for (i, b) in src.enumerated() {
                    dst[2 * i] = table[Int(b >> 4)]
                    dst[2 * i + 1] = table[Int(b & 0x0F)]
                }
                return src.count * 2
            }
        }
    }
}
