#if canImport(Glibc)
import Glibc
#endif

/// `<data>/tsuna.lock`: `serve` holds an exclusive `flock` on it for as long as it runs, `restore` while it
/// rebuilds the folder, so neither starts on a folder the other is using. The kernel drops the lock when
/// the process ends however it ends (kill -9 included): a file left behind never blocks a start. The file
/// names the holder (pid and command) for the messages of the others.
final class DataFolderLock {
    static let fileName = "tsuna.lock"
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock for `command`, creating the folder (0700) and the file (0600) when missing. A holder
    /// that is only probing (`holder(of:)`) lets go within microseconds, so a busy lock is retried briefly.
    static func acquire(_ dataDirectory: String, for command: String) throws -> DataFolderLock {
        if mkdir(dataDirectory, 0o700) != 0 && errno != EEXIST {
            throw StartupError("cannot create \(dataDirectory): \(String(cString: strerror(errno)))")
        }
        let path = dataDirectory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let cause = errno == EROFS ? "the file system is read-only" : String(cString: strerror(errno))
            throw StartupError("the data folder \(dataDirectory) is not writable: \(cause)")
        }
        FileTree.giveToOwner(of: dataDirectory, [path])
        for attempt in 0..<20 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                let lock = DataFolderLock(fd: fd)
                lock.record("\(getpid()) \(command)\n")
                return lock
            }
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw StartupError("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            if attempt < 19 { usleep(50_000) }
        }
        let holder = describe(readHolder(fd))
        close(fd)
        throw StartupError("the data folder \(dataDirectory) is in use by \(holder); stop it first")
    }

    /// Who holds the lock ("tsuna serve, pid 812"), or nil when nobody does. Never creates the file.
    static func holder(of dataDirectory: String) -> String? {
        let fd = open(dataDirectory + "/" + fileName, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A shared lock conflicts with the holder's exclusive one and is released at once.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return describe(readHolder(fd))
    }

    private func record(_ text: String) {
        _ = ftruncate(fd, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    private static func readHolder(_ fd: Int32) -> (pid: String, command: String)? {
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1].filter { $0 != "\n" }))
    }

    private static func describe(_ holder: (pid: String, command: String)?) -> String {
        guard let holder else { return "another tsuna process" }
        return "tsuna \(holder.command) (pid \(holder.pid))"
    }
}
