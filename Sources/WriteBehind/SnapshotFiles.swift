import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The snapshot files of the caches: naming, atomic writes, reads, removal. Blocking calls; the cache
/// runs them on `SnapshotFiles.queue`, off the Swift concurrency pool.
enum SnapshotFiles {
    /// Serial queue for the blocking file work (fsync can take milliseconds).
    static let queue = DispatchQueue(label: "write-behind-snapshot-io", qos: .utility)

    /// Runs `work` on the I/O queue and resumes with its result.
    static func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async { cont.resume(with: Result { try work() }) }
        }
    }

    /// `<cache>-<shard>.snapshot`.
    static func fileName(cache: String, shard: Int) -> String { "\(cache)-\(shard).snapshot" }

    /// The cache's snapshot files (shard number, path) and leftover temporaries, in shard order.
    static func list(directory: String, cache: String) throws -> (files: [(shard: Int, path: String)], temporaries: [String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw WriteBehindError.io(file: directory, operation: "listing", errno: errno == 0 ? EIO : errno)
        }
        let prefix = cache + "-"
        var files: [(shard: Int, path: String)] = []
        var temporaries: [String] = []
        for name in names where name.hasPrefix(prefix) {
            var rest = name.dropFirst(prefix.count)
            var isTemporary = false
            if rest.hasSuffix(".snapshot.tmp") {
                rest = rest.dropLast(".snapshot.tmp".count)
                isTemporary = true
            } else if rest.hasSuffix(".snapshot") {
                rest = rest.dropLast(".snapshot".count)
            } else {
                continue
            }
            guard !rest.isEmpty, rest.count <= 6, rest.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                  let shard = Int(rest) else { continue }
            if isTemporary {
                temporaries.append(directory + "/" + name)
            } else {
                files.append((shard, directory + "/" + name))
            }
        }
        files.sort { $0.shard < $1.shard }
        return (files, temporaries)
    }

    /// Creates the directory (and its parents) when missing.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw WriteBehindError.io(file: path, operation: "creating directory", errno: errno == 0 ? EIO : errno)
        }
    }

    /// The whole file.
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WriteBehindError.io(file: path, operation: "opening", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw WriteBehindError.io(file: path, operation: "reading", errno: errno) }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: max(0, size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.read(fd, buf.baseAddress! + done, buf.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteBehindError.io(file: path, operation: "reading", errno: errno)
            }
            if n == 0 { break }   // shrank while reading: the decoder reports it as truncated
            done += n
        }
        if done < bytes.count { bytes.removeLast(bytes.count - done) }
        return bytes
    }

    /// Writes `bytes` to `<path>.tmp`, fsyncs it and renames it over `path`. The directory entry is made
    /// durable by `syncDirectory` (once for all the files of a snapshot round).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteBehindError.io(file: tmp, operation: "creating", errno: errno) }
        var ok = false
        defer {
            if !ok {
                close(fd)
                unlink(tmp)
            }
        }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf in write(fd, buf.baseAddress! + done, buf.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteBehindError.io(file: tmp, operation: "writing", errno: errno)
            }
            done += n
        }
        guard fsync(fd) == 0 else { throw WriteBehindError.io(file: tmp, operation: "syncing", errno: errno) }
        ok = true
        guard close(fd) == 0 else {
            let e = errno
            unlink(tmp)
            throw WriteBehindError.io(file: tmp, operation: "closing", errno: e)
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw WriteBehindError.io(file: path, operation: "renaming into place", errno: e)
        }
    }

    /// Removes a file; true when it existed.
    @discardableResult
    static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw WriteBehindError.io(file: path, operation: "removing", errno: errno)
    }

    /// fsyncs a directory so renames and removals in it survive a power cut.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WriteBehindError.io(file: path, operation: "opening directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteBehindError.io(file: path, operation: "syncing directory", errno: errno) }
    }
}
