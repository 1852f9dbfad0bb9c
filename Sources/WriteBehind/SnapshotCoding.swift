/// Reads little-endian fields from snapshot bytes; every read is bounds-checked and returns nil past the end.
public struct SnapshotReader {
    private let bytes: [UInt8]
    /// Offset of the next byte to read.
    public private(set) var position: Int
    private let end: Int

    /// A reader over all of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.init(bytes, from: 0, to: bytes.count)
    }

    /// A reader over `bytes[from..<to]` (clamped to the array).
    init(_ bytes: [UInt8], from: Int, to: Int) {
        self.bytes = bytes
        self.end = min(max(0, to), bytes.count)
        self.position = min(max(0, from), self.end)
    }

    /// Bytes left to read.
    public var remaining: Int { end - position }

    /// One byte.
    public mutating func readUInt8() -> UInt8? { read(UInt8.self) }
    /// A 16-bit unsigned integer.
    public mutating func readUInt16() -> UInt16? { read(UInt16.self) }
    /// A 32-bit unsigned integer.
    public mutating func readUInt32() -> UInt32? { read(UInt32.self) }
    /// A 64-bit unsigned integer.
    public mutating func readUInt64() -> UInt64? { read(UInt64.self) }
    /// A 64-bit signed integer.
    public mutating func readInt64() -> Int64? { read(Int64.self) }

    /// `count` raw bytes.
    public mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    @inline(__always) private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let n = MemoryLayout<T>.size
        guard end - position >= n else { return nil }
        let at = position
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: T.self) }
        position += n
        return T(littleEndian: v)
    }
}

extension Array where Element == UInt8 {
    /// Appends an integer in little-endian byte order (the snapshot encoding).
    @inlinable public mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

/// One snapshot file's header fields.
struct SnapshotHeader: Equatable {
    var shardIndex: Int
    var shardCount: Int
    var entryCount: Int
    /// The shard's sequence counter when the snapshot was taken.
    var maxSeq: UInt64
}

/// One pending entry read from a snapshot: a value for an insert/update, nil for a delete.
struct SnapshotEntry<Value> {
    var owner: Int64
    var user: Int64
    var seq: UInt64
    var value: Value?
}

/// The snapshot file format, version 1, all integers little-endian:
///
///     header  (40 bytes)  "TSWB", version u16, reserved u16 = 0, shard index u32, shard count u32,
///                         entry count u64, payload length u64, shard sequence counter u64
///     payload             entries: op u8 (1 insert/update, 2 delete), owner i64, user i64, seq u64,
///                         value length u16, value bytes (none for a delete)
///     trailer (8 bytes)   XXH64 of header and payload
///
/// The header's payload length makes a truncated file recognisable as such; the checksum catches the rest.
enum SnapshotFormat {
    static let magic: [UInt8] = Array("TSWB".utf8)
    static let version: UInt16 = 1
    static let headerSize = 40
    static let trailerSize = 8
    /// Bytes of an entry before its value.
    static let entryFixedSize = 27
    static let opUpsert: UInt8 = 1
    static let opDelete: UInt8 = 2
}

/// Builds one snapshot file in memory.
struct SnapshotEncoder {
    private(set) var bytes: [UInt8] = []
    private var entryCount = 0

    init(shardIndex: Int, shardCount: Int, expectedEntries: Int) {
        bytes.reserveCapacity(SnapshotFormat.headerSize + SnapshotFormat.trailerSize
            + expectedEntries * (SnapshotFormat.entryFixedSize + 16))
        bytes.append(contentsOf: SnapshotFormat.magic)
        bytes.appendLittleEndian(SnapshotFormat.version)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: shardIndex))
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: shardCount))
        bytes.append(contentsOf: repeatElement(0, count: SnapshotFormat.headerSize - bytes.count))
    }

    /// Appends a pending insert/update; false when the value encodes to more than 65 535 bytes.
    mutating func appendUpsert<V: WriteBehindValue>(owner: Int64, user: Int64, seq: UInt64, value: V) -> Bool {
        appendFixed(SnapshotFormat.opUpsert, owner, user, seq)
        let lengthAt = bytes.count
        bytes.appendLittleEndian(UInt16(0))
        value.encode(into: &bytes)
        let length = bytes.count - lengthAt - 2
        guard let l16 = UInt16(exactly: length) else { return false }
        bytes[lengthAt] = UInt8(truncatingIfNeeded: l16)
        bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: l16 >> 8)
        entryCount += 1
        return true
    }

    /// Appends a pending delete.
    mutating func appendDelete(owner: Int64, user: Int64, seq: UInt64) {
        appendFixed(SnapshotFormat.opDelete, owner, user, seq)
        bytes.appendLittleEndian(UInt16(0))
        entryCount += 1
    }

    @inline(__always) private mutating func appendFixed(_ op: UInt8, _ owner: Int64, _ user: Int64, _ seq: UInt64) {
        bytes.append(op)
        bytes.appendLittleEndian(owner)
        bytes.appendLittleEndian(user)
        bytes.appendLittleEndian(seq)
    }

    /// Fills in the header's counts and appends the checksum; returns the file's bytes.
    mutating func finish(maxSeq: UInt64) -> [UInt8] {
        let payload = UInt64(bytes.count - SnapshotFormat.headerSize)
        patch(UInt64(entryCount), at: 16)
        patch(payload, at: 24)
        patch(maxSeq, at: 32)
        let sum = XXHash64.hash(bytes, 0..<bytes.count)
        bytes.appendLittleEndian(sum)
        return bytes
    }

    private mutating func patch(_ v: UInt64, at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }
}

/// Validates and parses one snapshot file; throws `corruptSnapshot` naming the file and the reason.
enum SnapshotDecoder {
    static func decode<V: WriteBehindValue>(_ bytes: [UInt8], file: String,
                                            as _: V.Type) throws -> (SnapshotHeader, [SnapshotEntry<V>]) {
        func corrupt(_ reason: String) -> WriteBehindError { .corruptSnapshot(file: file, reason: reason) }
        let minimum = SnapshotFormat.headerSize + SnapshotFormat.trailerSize
        guard bytes.count >= minimum else {
            throw corrupt("truncated: \(bytes.count) bytes, less than the \(minimum) of an empty snapshot")
        }
        guard Array(bytes[0..<4]) == SnapshotFormat.magic else {
            throw corrupt("not a write-behind snapshot (bad magic number)")
        }
        var r = SnapshotReader(bytes, from: 4, to: SnapshotFormat.headerSize)
        let version = r.readUInt16() ?? 0
        guard version == SnapshotFormat.version else {
            throw corrupt("unsupported format version \(version) (this binary reads version \(SnapshotFormat.version))")
        }
        _ = r.readUInt16()
        let shardIndex = Int(r.readUInt32() ?? 0)
        let shardCount = Int(r.readUInt32() ?? 0)
        let entryCount = r.readUInt64() ?? 0
        let payload = r.readUInt64() ?? 0
        let maxSeq = r.readUInt64() ?? 0
        let available = UInt64(bytes.count - minimum)
        if payload > available {
            throw corrupt("truncated: \(bytes.count) bytes, the header announces \(UInt64(minimum) + payload)")
        }
        if payload < available {
            throw corrupt("\(available - payload) unexpected bytes after the end the header announces")
        }
        let end = bytes.count - SnapshotFormat.trailerSize
        var t = SnapshotReader(bytes, from: end, to: bytes.count)
        let stored = t.readUInt64() ?? 0
        let computed = XXHash64.hash(bytes, 0..<end)
        guard stored == computed else {
            throw corrupt("checksum mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is damaged")
        }
        guard shardCount >= 1, shardIndex < shardCount else {
            throw corrupt("shard index \(shardIndex) is outside the shard count \(shardCount)")
        }
        guard entryCount <= payload / UInt64(SnapshotFormat.entryFixedSize) else {
            throw corrupt("\(entryCount) entries cannot fit in \(payload) bytes")
        }
        var entries: [SnapshotEntry<V>] = []
        entries.reserveCapacity(Int(entryCount))
        var p = SnapshotReader(bytes, from: SnapshotFormat.headerSize, to: end)
        for i in 0..<Int(entryCount) {
            guard let op = p.readUInt8(), let owner = p.readInt64(), let user = p.readInt64(),
                  let seq = p.readUInt64(), let length = p.readUInt16() else {
                throw corrupt("entry \(i) is cut short")
            }
            guard seq <= UInt64(Int64.max) else { throw corrupt("entry \(i) has sequence number \(seq)") }
            switch op {
            case SnapshotFormat.opDelete:
                guard length == 0 else { throw corrupt("entry \(i) is a delete with a \(length)-byte value") }
                entries.append(SnapshotEntry(owner: owner, user: user, seq: seq, value: nil))
            case SnapshotFormat.opUpsert:
                let start = p.position
                guard p.remaining >= Int(length) else { throw corrupt("entry \(i) is cut short") }
                var v = SnapshotReader(bytes, from: start, to: start + Int(length))
                guard let value = V.decode(&v), v.remaining == 0 else {
                    throw corrupt("entry \(i) (owner \(owner), user \(user)) holds a value that does not decode")
                }
                _ = p.readBytesSkipping(Int(length))
                entries.append(SnapshotEntry(owner: owner, user: user, seq: seq, value: value))
            default:
                throw corrupt("entry \(i) has unknown operation \(op)")
            }
        }
        guard p.remaining == 0 else { throw corrupt("\(p.remaining) bytes left after the last entry") }
        let header = SnapshotHeader(shardIndex: shardIndex, shardCount: shardCount,
                                    entryCount: Int(entryCount), maxSeq: maxSeq)
        return (header, entries)
    }

    private static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}

extension SnapshotReader {
    /// Skips `count` bytes without copying them; false when fewer remain.
    mutating func readBytesSkipping(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        position += count
        return true
    }
}

extension PendingImage where Value: WriteBehindValue {
    /// This image as a snapshot file; throws when a value encodes to more than 65 535 bytes.
    func encodeSnapshot(shardIndex: Int, shardCount: Int, cache: String) throws -> [UInt8] {
        var encoder = SnapshotEncoder(shardIndex: shardIndex, shardCount: shardCount, expectedEntries: count)
        for i in 0..<count {
            let k = keys[i]
            let seq = ShardIndex.seq(ofStamp: stamps[i])
            if let v = values[i] {
                guard encoder.appendUpsert(owner: k.owner, user: k.user, seq: seq, value: v) else {
                    throw WriteBehindError.invalidConfiguration(
                        "\(cache): the value of (owner \(k.owner), user \(k.user)) encodes to more than 65535 bytes")
                }
            } else {
                encoder.appendDelete(owner: k.owner, user: k.user, seq: seq)
            }
        }
        return encoder.finish(maxSeq: lastSeq)
    }
}
