import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The data folder: everything Tsuna keeps lives under it (SPEC section 12). It holds password hashes, emails
/// and mail links, so it is private to the service's user: folders 0700, files 0600, whatever the umask.
enum DataDirectory {
    /// Files and folders created by this process are private to its user (`umask 077`). Called first thing by
    /// every command that touches the data folder.
    static func restrictNewFiles() {
        umask(0o077)
    }

    /// Creates the folder and its subfolders, makes them private and checks they can be written; fails with a
    /// message naming the path and the cause, before anything is written.
    static func prepare(_ config: Configuration) throws {
        restrictNewFiles()
        let fm = FileManager.default
        for dir in [config.dataDirectory, config.mediaDirectory, config.snapshotDirectory,
                    config.mailDirectory, config.temporaryDirectory] {
            var isDirectory = false
            if fm.fileExists(atPath: dir, isDirectory: &isDirectory) {
                guard isDirectory else { throw StartupError("\(dir) is not a folder") }
            } else if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw StartupError("cannot create \(dir): \(String(cString: strerror(errno)))")
            }
            try checkWritable(dir)
        }
        // A folder made by hand (or restored) with the usual umask would be readable by every local user.
        _ = chmod(config.dataDirectory, 0o700)
        for file in [config.databasePath, config.databasePath + "-wal", config.databasePath + "-shm", config.secretKeyPath] {
            _ = chmod(file, 0o600)
        }
        // Spilled request bodies from a previous run that died are garbage now.
        if let leftovers = try? fm.contentsOfDirectory(atPath: config.temporaryDirectory) {
            for name in leftovers { try? fm.removeItem(atPath: config.temporaryDirectory + "/" + name) }
        }
    }

    /// Creating (and removing) a file proves the folder takes writes: a read-only remount or a folder owned by
    /// someone else is refused at start rather than discovered when a write is acknowledged.
    static func checkWritable(_ dir: String) throws {
        let probe = dir + "/.tsuna-write-probe"
        let fd = open(probe, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let cause = errno == EROFS ? "the file system is read-only" : String(cString: strerror(errno))
            throw StartupError("the data folder \(dir) is not writable: \(cause)")
        }
        close(fd)
        unlink(probe)
    }

    /// The signing secret: TSUNA_SECRET_KEY, else `<data>/secret.key`, created (mode 0600) on first start.
    static func secret(_ config: Configuration) throws -> [UInt8] {
        if let key = config.secretKey { return Array(key.utf8) }
        let path = config.secretKeyPath
        if let text = try readSecret(path) {
            guard text.utf8.count >= 32 else { throw StartupError("\(path) is too short (need 32+ characters)") }
            return Array(text.utf8)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hex = bytes.map(CFormat.hex2).joined()
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another process created it between our read and our create: read theirs (once).
            if errno == EEXIST, let text = try readSecret(path), text.utf8.count >= 32 { return Array(text.utf8) }
            throw StartupError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let line = Array((hex + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == line.count, synced else {
            unlink(path)
            throw StartupError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return Array(hex.utf8)
    }

    /// The key file's trimmed text; nil when there is no such file. Anything else that stops reading it (a
    /// folder in its place, another owner, an I/O error) is a clear startup error.
    private static func readSecret(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StartupError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw StartupError("cannot read \(path): it is not a regular file")
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        guard n >= 0 else { throw StartupError("cannot read \(path): \(String(cString: strerror(errno)))") }
        return String(decoding: bytes[0..<n], as: UTF8.self).trimmingWhitespaceAndNewlines()
    }
}

/// A failure to start, reported on stderr with exit status 1.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
