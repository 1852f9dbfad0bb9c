#if canImport(Glibc)
import Glibc
#endif

/// The plain fields and the files of a parsed multipart/form-data body, in body order.
public struct MultipartForm: Sendable {
    public var fields: [(name: String, value: String)]
    public var files: [MultipartFile]

    /// An empty form.
    public init(fields: [(name: String, value: String)] = [], files: [MultipartFile] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first plain field with that name.
    public func field(_ name: String) -> String? {
        fields.first(where: { $0.name == name })?.value
    }

    /// The first file sent under that field name.
    public func file(_ name: String) -> MultipartFile? {
        files.first(where: { $0.fieldName == name })
    }
}

/// One uploaded file. Its temporary file (if any) is removed when the last copy goes away, unless persisted.
public struct MultipartFile: Sendable {
    public let fieldName: String
    /// The client's file name, sanitised: a basename only (no path separators, NUL or control characters),
    /// at most 200 bytes. Display text only: the parser never uses it as a path.
    public let filename: String
    public let contentType: String?
    public let size: Int
    public let storage: Storage

    /// Where the bytes are: in memory (small files) or in a temporary file.
    public enum Storage: Sendable {
        case memory([UInt8])
        case file(TemporaryFile)
    }

    /// Up to `n` leading bytes, for content sniffing (call it before `persist(to:)` moves a spilled file).
    public func firstBytes(_ n: Int) -> [UInt8] {
        let wanted = min(max(n, 0), size)
        guard wanted > 0 else { return [] }
        switch storage {
        case .memory(let bytes):
            return Array(bytes.prefix(wanted))
        case .file(let file):
            let fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return [] }
            defer { close(fd) }
            var result = [UInt8](repeating: 0, count: wanted)
            var filled = 0
            while filled < wanted {
                let n = result.withUnsafeMutableBytes {
                    UploadFileIO.readSome(fd, UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                }
                if n <= 0 { break }
                filled += n
            }
            return filled == wanted ? result : Array(result.prefix(filled))
        }
    }

    /// Stores the file at `path` atomically: the data is written (or copied) to a temporary name beside
    /// `path`, flushed to disk, then renamed over it. A spilled file is moved instead when on the same
    /// filesystem. Missing parent directories are not created.
    public func persist(to path: String) throws {
        switch storage {
        case .memory(let bytes):
            try bytes.withUnsafeBytes { try Self.writeAtomically($0, to: path) }
        case .file(let file):
            try Self.flush(file.path)
            do {
                try file.persist(to: path)
            } catch let error as SocketError where error.code == EXDEV {
                try Self.copyAtomically(from: file.path, to: path)   // the original goes with its TemporaryFile
            } catch let error as SocketError {
                throw MultipartPersistError(operation: "rename", path: path, code: error.code)
            }
        }
    }

    private static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let temp = try createBeside(path)
        guard UploadFileIO.writeAll(temp.fd, bytes) else { throw abandon(temp, "write") }
        try commit(temp, to: path)
    }

    private static func copyAtomically(from source: String, to path: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw MultipartPersistError(operation: "open", path: source, code: errno) }
        defer { close(input) }
        let temp = try createBeside(path)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { UploadFileIO.readSome(input, $0) }
            if n < 0 { throw abandon(temp, "read") }
            if n == 0 { break }
            let ok = buffer.withUnsafeBytes { UploadFileIO.writeAll(temp.fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            guard ok else { throw abandon(temp, "write") }
        }
        try commit(temp, to: path)
    }

    private static func createBeside(_ path: String) throws -> (fd: Int32, path: String) {
        let tempPath = "\(path).tmp-\(UploadFileIO.randomHex())"
        let fd = open(tempPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MultipartPersistError(operation: "open", path: tempPath, code: errno) }
        return (fd, tempPath)
    }

    /// Flushes, closes and renames the temporary file onto `path`; removes it on failure.
    private static func commit(_ temp: (fd: Int32, path: String), to path: String) throws {
        guard fsync(temp.fd) == 0 else { throw abandon(temp, "fsync") }
        let closed = close(temp.fd)
        let code = errno
        guard closed == 0 else { unlink(temp.path); throw MultipartPersistError(operation: "close", path: temp.path, code: code) }
        guard rename(temp.path, path) == 0 else {
            let code = errno
            unlink(temp.path)
            throw MultipartPersistError(operation: "rename", path: path, code: code)
        }
    }

    private static func abandon(_ temp: (fd: Int32, path: String), _ operation: String) -> MultipartPersistError {
        let error = MultipartPersistError(operation: operation, path: temp.path, code: errno)
        close(temp.fd)
        unlink(temp.path)
        return error
    }

    /// Makes a spilled file's data durable before it is renamed into place.
    private static func flush(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MultipartPersistError(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw MultipartPersistError(operation: "fsync", path: path, code: errno) }
    }
}

/// A failed `MultipartFile.persist(to:)`: the system call, the path and errno.
public struct MultipartPersistError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32
    public var description: String { "\(operation)(\(path)): \(String(cString: strerror(code)))" }
}
