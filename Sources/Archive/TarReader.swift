#if canImport(Glibc)
import Glibc
#endif

/// Reads a POSIX tar archive from a file descriptor, streaming: `next()` returns each entry's header,
/// `read(into:)` its bytes. Every header's checksum is verified; an archive that ends before its
/// end-of-archive marker, or inside an entry, is `TarError.truncated`. pax extended headers supply the
/// path and size they carry, as do GNU tar's long-name entries; other extended records are ignored.
public final class TarReader {
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0, end = 0
    /// Bytes consumed from the descriptor's point of view (for error messages).
    public private(set) var offset: Int64 = 0
    /// Bytes of the current entry not read yet, and the padding after them.
    private var remaining: Int64 = 0
    private var padding: Int64 = 0

    /// `fd` stays the caller's: it is not closed here.
    public init(fd: Int32) {
        self.fd = fd
        buffer = [UInt8](repeating: 0, count: 1 << 20)
    }

    /// The next entry, or nil at the end-of-archive marker. The unread rest of the previous entry is skipped.
    public func next() throws -> TarEntry? {
        try skipRest()
        var pax: [String: String] = [:]
        while true {
            let headerOffset = offset
            let block = try readBlock()
            if block.allSatisfy({ $0 == 0 }) {
                // Two zero blocks end the archive; one alone followed by nothing is a truncated one.
                let second = try readBlock()
                guard second.allSatisfy({ $0 == 0 }) else {
                    throw TarError.badHeader(offset: headerOffset, reason: "a zero block inside the archive")
                }
                return nil
            }
            guard TarHeader.checksumMatches(block) else {
                throw TarError.badHeader(offset: headerOffset, reason: "header checksum mismatch")
            }
            guard let declared = TarHeader.number(block, 124, 12), declared >= 0 else {
                throw TarError.badHeader(offset: headerOffset, reason: "bad size field")
            }
            let kind = block[156]
            if kind == UInt8(ascii: "x") || kind == UInt8(ascii: "g") {
                guard declared <= 1 << 20 else { throw TarError.badHeader(offset: headerOffset, reason: "oversized pax header") }
                var records = [UInt8](repeating: 0, count: Int(declared))
                try readExactly(&records)
                try skip(Self.paddingAfter(declared))
                if kind == UInt8(ascii: "x") { pax.merge(try Self.parsePax(records, at: headerOffset)) { $1 } }
                continue
            }
            if kind == UInt8(ascii: "L") || kind == UInt8(ascii: "K") {
                // GNU tar's long name (or link name) for the next entry.
                guard declared <= 1 << 16 else { throw TarError.badHeader(offset: headerOffset, reason: "oversized long name") }
                var name = [UInt8](repeating: 0, count: Int(declared))
                try readExactly(&name)
                try skip(Self.paddingAfter(declared))
                if kind == UInt8(ascii: "L") { pax["path"] = String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) }
                continue
            }
            var path = TarHeader.text(block, 0, 100)
            let magic = TarHeader.text(block, 257, 6)
            if magic.hasPrefix("ustar") {
                let prefix = TarHeader.text(block, 345, 155)
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            if let long = pax["path"] { path = long }
            var size = declared
            if let long = pax["size"] {
                guard let value = Int64(long), value >= 0 else { throw TarError.badHeader(offset: headerOffset, reason: "bad pax size") }
                size = value
            }
            let entryKind: TarEntry.Kind
            switch kind {
            case UInt8(ascii: "0"), 0: entryKind = .file
            case UInt8(ascii: "5"): entryKind = .directory
            default: entryKind = .other(kind)
            }
            while path.hasSuffix("/") { path.removeLast() }
            if case .directory = entryKind { size = 0 }
            let mode = UInt32(truncatingIfNeeded: TarHeader.number(block, 100, 8) ?? 0o600)
            let modified = TarHeader.number(block, 136, 12) ?? 0
            remaining = size
            padding = Self.paddingAfter(size)
            return TarEntry(path: path, kind: entryKind, size: size, mode: mode, modified: modified)
        }
    }

    /// Reads up to `into.count` bytes of the current entry; 0 once it is all read.
    public func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, destination.count > 0 else { return 0 }
        let want = Int(min(Int64(destination.count), remaining))
        if end == start { try refill() }
        let n = min(want, end - start)
        buffer.withUnsafeBytes { src in
            destination.baseAddress!.copyMemory(from: src.baseAddress! + start, byteCount: n)
        }
        start += n
        offset += Int64(n)
        remaining -= Int64(n)
        return n
    }

    /// The whole current entry in memory (for small ones: manifests, checksum lists).
    public func readAll(limit: Int) throws -> [UInt8] {
        guard remaining <= Int64(limit) else { throw TarError.badHeader(offset: offset, reason: "entry too large") }
        var bytes = [UInt8](repeating: 0, count: Int(remaining))
        try readExactly(&bytes)
        remaining = 0
        return bytes
    }

    private func skipRest() throws {
        try skip(remaining + padding)
        remaining = 0
        padding = 0
    }

    private func readExactly(_ bytes: inout [UInt8]) throws {
        var done = 0
        let wanted = bytes.count
        while done < wanted {
            if end == start { try refill() }
            let n = min(wanted - done, end - start)
            bytes.withUnsafeMutableBytes { dst in
                buffer.withUnsafeBytes { src in
                    dst.baseAddress!.advanced(by: done).copyMemory(from: src.baseAddress! + start, byteCount: n)
                }
            }
            start += n
            done += n
            offset += Int64(n)
        }
    }

    private func readBlock() throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        try readExactly(&block)
        return block
    }

    private func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            if end == start { try refill() }
            let n = Int(min(left, Int64(end - start)))
            start += n
            left -= Int64(n)
            offset += Int64(n)
        }
    }

    /// Reads more of the descriptor; the end of the file here means the archive is truncated.
    private func refill() throws {
        start = 0
        end = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError.io(operation: "reading the archive", errno: errno)
            }
            if n == 0 { throw TarError.truncated }
            end = n
            return
        }
    }

    static func paddingAfter(_ size: Int64) -> Int64 {
        let rest = size % Int64(TarHeader.blockSize)
        return rest == 0 ? 0 : Int64(TarHeader.blockSize) - rest
    }

    /// "<length> <key>=<value>\n" records.
    static func parsePax(_ bytes: [UInt8], at offset: Int64) throws -> [String: String] {
        var result: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            guard let space = bytes[i...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: bytes[i..<space], as: UTF8.self)), length > 0,
                  i + length <= bytes.count, bytes[i + length - 1] == 0x0A,
                  let equals = bytes[(space + 1)..<(i + length)].firstIndex(of: UInt8(ascii: "=")) else {
                throw TarError.badHeader(offset: offset, reason: "bad pax record")
            }
            let key = String(decoding: bytes[(space + 1)..<equals], as: UTF8.self)
            result[key] = String(decoding: bytes[(equals + 1)..<(i + length - 1)], as: UTF8.self)
            i += length
        }
        return result
    }
}
