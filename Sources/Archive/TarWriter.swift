#if canImport(Glibc)
import Glibc
#endif

/// Writes a POSIX tar archive to a file descriptor, streaming: an entry's header, then its bytes as they
/// come, then the padding. Paths that do not fit ustar's fields, and sizes of 8 GiB or more, get a pax
/// extended header, which GNU tar, bsdtar and Python's tarfile read.
public final class TarWriter {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private static let flushAt = 1 << 20
    /// The entry being written: its path, announced size and bytes written so far.
    private var open: (path: String, size: Int64, written: Int64)?
    /// Bytes handed to the descriptor so far, headers and padding included.
    public private(set) var bytesWritten: Int64 = 0

    /// `fd` stays the caller's: it is neither synced nor closed here.
    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(Self.flushAt + TarHeader.blockSize)
    }

    public func addDirectory(_ path: String, mode: UInt32 = 0o700, modified: Int64 = 0) throws {
        try header(path: path + "/", kind: UInt8(ascii: "5"), size: 0, mode: mode, modified: modified)
    }

    /// Starts a regular file of exactly `size` bytes; send them with `write`, then call `endFile`.
    public func beginFile(_ path: String, size: Int64, mode: UInt32 = 0o600, modified: Int64 = 0) throws {
        precondition(open == nil, "beginFile while \(open!.path) is open")
        try header(path: path, kind: UInt8(ascii: "0"), size: size, mode: mode, modified: modified)
        open = (path, size, 0)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let current = open else { preconditionFailure("write outside a file") }
        guard current.written + Int64(bytes.count) <= current.size else {
            throw TarError.sizeMismatch(path: current.path, declared: current.size, written: current.written + Int64(bytes.count))
        }
        open!.written += Int64(bytes.count)
        try append(bytes)
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Ends the open file: its bytes must add up to the size announced.
    public func endFile() throws {
        guard let current = open else { preconditionFailure("endFile outside a file") }
        guard current.written == current.size else {
            throw TarError.sizeMismatch(path: current.path, declared: current.size, written: current.written)
        }
        open = nil
        try pad(current.size)
    }

    /// A whole file held in memory.
    public func addFile(_ path: String, contents: [UInt8], mode: UInt32 = 0o600, modified: Int64 = 0) throws {
        try beginFile(path, size: Int64(contents.count), mode: mode, modified: modified)
        try write(contents)
        try endFile()
    }

    /// The end-of-archive marker (two zero blocks), then everything buffered goes to the descriptor.
    public func finish() throws {
        precondition(open == nil, "finish while a file is open")
        try append([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
        try flush()
    }

    private func header(path: String, kind: UInt8, size: Int64, mode: UInt32, modified: Int64) throws {
        guard !path.isEmpty, !path.utf8.contains(0) else { throw TarError.badPath(path) }
        let split = TarHeader.split(path)
        if split == nil || size > TarHeader.maxOctalSize {
            var records: [UInt8] = []
            if split == nil { records += TarHeader.paxRecord("path", path) }
            if size > TarHeader.maxOctalSize { records += TarHeader.paxRecord("size", String(size)) }
            try append(TarHeader.encode(name: "PaxHeader", prefix: "", kind: UInt8(ascii: "x"),
                                        size: Int64(records.count), mode: 0o600, modified: modified))
            try append(records)
            try pad(Int64(records.count))
        }
        let (prefix, name) = split ?? ("", String(decoding: path.utf8.suffix(100), as: UTF8.self))
        try append(TarHeader.encode(name: name, prefix: prefix, kind: kind,
                                    size: min(size, TarHeader.maxOctalSize), mode: mode, modified: modified))
    }

    private func pad(_ size: Int64) throws {
        let rest = Int(size % Int64(TarHeader.blockSize))
        if rest != 0 { try append([UInt8](repeating: 0, count: TarHeader.blockSize - rest)) }
    }

    private func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.flushAt {
            try flush()
            // Large chunks go straight to the descriptor rather than through the buffer.
            if bytes.count >= Self.flushAt { return try writeAll(bytes) }
        }
        buffer.append(contentsOf: bytes)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError.io(operation: "writing the archive", errno: errno)
            }
            done += n
        }
        bytesWritten += Int64(bytes.count)
    }
}
