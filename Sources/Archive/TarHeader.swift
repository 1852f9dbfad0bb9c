#if canImport(Glibc)
import Glibc
#endif

/// One entry of a POSIX tar archive (ustar, with pax extended headers for what ustar cannot hold).
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        /// Anything else (links, devices, FIFOs): readers here refuse them.
        case other(UInt8)
    }

    /// Relative path, `/`-separated, without a trailing slash.
    public var path: String
    public var kind: Kind
    public var size: Int64
    public var mode: UInt32
    /// Seconds since 1970.
    public var modified: Int64

    public init(path: String, kind: Kind, size: Int64 = 0, mode: UInt32 = 0o600, modified: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.modified = modified
    }
}

/// What goes wrong reading or writing an archive.
public enum TarError: Error, Equatable, CustomStringConvertible {
    /// The archive ends before its end-of-archive marker (or inside an entry).
    case truncated
    /// A header block that is not a valid tar header.
    case badHeader(offset: Int64, reason: String)
    /// A path that cannot be stored, or that a reader must not extract.
    case badPath(String)
    /// A system call failed (errno).
    case io(operation: String, errno: Int32)
    /// The bytes written for an entry differ from the size its header announced.
    case sizeMismatch(path: String, declared: Int64, written: Int64)

    public var description: String {
        switch self {
        case .truncated: return "the archive is truncated"
        case .badHeader(let offset, let reason): return "not a valid tar archive (at byte \(offset): \(reason))"
        case .badPath(let path): return "unacceptable path in the archive: \(path)"
        case .io(let operation, let code): return "\(operation) failed: \(String(cString: strerror(code)))"
        case .sizeMismatch(let path, let declared, let written):
            return "\(path) changed while it was archived (\(declared) bytes announced, \(written) written)"
        }
    }
}

/// The 512-byte ustar header layout (POSIX.1-2001 "pax interchange format", ustar subset).
enum TarHeader {
    static let blockSize = 512
    /// Largest size an 11-digit octal field holds (8 GiB − 1); larger sizes go in a pax header.
    static let maxOctalSize: Int64 = 0o77777777777

    static func encode(name: String, prefix: String, kind: UInt8, size: Int64, mode: UInt32, modified: Int64) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        put(name, at: 0, width: 100, in: &block)
        octal(Int64(mode & 0o7777), at: 100, width: 8, in: &block)
        octal(0, at: 108, width: 8, in: &block)            // uid: restore assigns its own owner
        octal(0, at: 116, width: 8, in: &block)            // gid
        octal(size, at: 124, width: 12, in: &block)
        octal(max(0, min(modified, 0o77777777777)), at: 136, width: 12, in: &block)
        block[156] = kind
        put("ustar", at: 257, width: 6, in: &block)         // "ustar\0"
        put("00", at: 263, width: 2, in: &block)
        put(prefix, at: 345, width: 155, in: &block)
        // The checksum is computed with its own field as spaces.
        for i in 148..<156 { block[i] = 0x20 }
        let sum = block.reduce(0) { $0 + Int64($1) }
        octal(sum, at: 148, width: 7, in: &block)
        block[155] = 0x20
        return block
    }

    /// Splits a path into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a slash; nil when it
    /// cannot be split (the writer then uses a pax header).
    static func split(_ path: String) -> (prefix: String, name: String)? {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        var i = bytes.count - 1
        while i > 0 {
            if bytes[i] == UInt8(ascii: "/") && bytes.count - i - 1 <= 100 && i <= 155 && bytes.count - i - 1 > 0 {
                return (String(decoding: bytes[0..<i], as: UTF8.self), String(decoding: bytes[(i + 1)...], as: UTF8.self))
            }
            i -= 1
        }
        return nil
    }

    static func put(_ text: String, at offset: Int, width: Int, in block: inout [UInt8]) {
        for (i, b) in text.utf8.prefix(width).enumerated() { block[offset + i] = b }
    }

    /// Zero-padded octal digits followed by a NUL, filling `width` bytes.
    static func octal(_ value: Int64, at offset: Int, width: Int, in block: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width - 1)
        var v = value
        var i = digits.count - 1
        while v > 0 && i >= 0 {
            digits[i] = UInt8(ascii: "0") + UInt8(v & 7)
            v >>= 3
            i -= 1
        }
        for (j, d) in digits.enumerated() { block[offset + j] = d }
        block[offset + width - 1] = 0
    }

    /// A numeric field: octal digits (spaces and NULs around them allowed) or GNU's base-256 form.
    static func number(_ block: [UInt8], _ offset: Int, _ width: Int) -> Int64? {
        let field = block[offset..<(offset + width)]
        if let first = field.first, first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x7F)
            for b in field.dropFirst() {
                guard value < (Int64.max >> 8) else { return nil }
                value = value << 8 | Int64(b)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for b in field {
            if b == 0 || b == 0x20 {
                if seenDigit { break } else { continue }
            }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7"), value < (Int64.max >> 3) else { return nil }
            value = value << 3 | Int64(b - UInt8(ascii: "0"))
            seenDigit = true
        }
        return value
    }

    /// A NUL-terminated text field.
    static func text(_ block: [UInt8], _ offset: Int, _ width: Int) -> String {
        let field = block[offset..<(offset + width)]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// Whether the stored checksum matches (unsigned sum, or the signed sum old writers used).
    static func checksumMatches(_ block: [UInt8]) -> Bool {
        guard let stored = number(block, 148, 8) else { return false }
        var unsigned: Int64 = 0, signed: Int64 = 0
        for (i, b) in block.enumerated() {
            let v: UInt8 = (148..<156).contains(i) ? 0x20 : b
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        return stored == unsigned || stored == signed
    }

    /// A pax extended header record: "<length> <key>=<value>\n", the length counting itself.
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        let bodyLength = body.utf8.count
        var length = bodyLength + 1
        while String(length).utf8.count + bodyLength != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }
}
