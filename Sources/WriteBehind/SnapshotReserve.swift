import Platform
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Space kept free on the snapshot disk for the moment it fills up: a preallocated file,
/// `<snapshot directory>/<cache>.reserve`, deleted when a snapshot or a flush fails for lack of space so
/// that the acknowledged writes can still reach a snapshot (or the database), and made again once space
/// returns. While it is released the cache refuses writes, so the freed space serves what was already
/// acknowledged rather than new writes.
///
/// Blocking file calls: run them on the snapshot I/O queue.
final class SnapshotReserve: Sendable {
    let path: String
    let bytes: Int
    private let state: Locked<CacheHealth.Reserve>

    init(directory: String, cache: String, bytes: Int) {
        path = directory + "/" + cache + ".reserve"
        self.bytes = max(0, bytes)
        state = Locked(self.bytes == 0 ? .disabled : .missing("not made yet"))
    }

    var status: CacheHealth.Reserve { state.withLock { $0 } }

    /// True after `release` until `restore` succeeds: writes must wait for the space to come back.
    var isReleased: Bool { status == .released }

    /// Released, or never made: `restore` may make it.
    var needsRestoring: Bool {
        switch status {
        case .released, .missing: return true
        case .disabled, .held: return false
        }
    }

    /// Makes the file (or keeps one a previous run left); nil on success, else why not.
    @discardableResult
    func make() -> String? {
        guard bytes > 0 else { return nil }
        if let failure = SnapshotReserve.allocate(path, bytes) {
            state.withLock { s in if s != .released { s = .missing(failure) } }
            return failure
        }
        state.withLock { $0 = .held }
        return nil
    }

    /// After a release (or a failed `make`): makes the file again if the space is there; true when held.
    ///
    /// After a release it waits until twice the reserve is free: the snapshot that used the reserve's room
    /// often gives most of it back (a shard file replaced by one of about the same size), and taking it
    /// again at once would let writes in only to refuse them at the next snapshot, on a disk still full.
    func restore() -> Bool {
        switch status {
        case .disabled, .held: return true
        case .missing: return make() == nil
        case .released:
            guard let free = freeBytes(), free >= 2 * bytes else { return false }
            return make() == nil
        }
    }

    /// Bytes an unprivileged process may still write in the reserve's folder (statvfs), nil if unknown.
    private func freeBytes() -> Int? {
        var fs = statvfs()
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        guard statvfs(folder.isEmpty ? "/" : folder, &fs) == 0 else { return nil }
        let (total, overflow) = Int(fs.f_bavail).multipliedReportingOverflow(by: Int(fs.f_frsize))
        return overflow ? Int.max : total
    }

    /// Deletes the file to free its space; false when there was nothing to free.
    func release() -> Bool {
        let held = state.withLock { s -> Bool in
            guard s == .held else { return false }
            s = .released
            return true
        }
        if held { unlink(path) }
        return held
    }

    /// Creates or completes `path` with `bytes` of allocated (not sparse) space: nil, or why not.
    private static func allocate(_ path: String, _ bytes: Int) -> String? {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, Int(st.st_size) == bytes, Int(st.st_blocks) * 512 >= bytes {
            return nil
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create \(path): \(String(cString: strerror(errno)))" }
        let rc = posix_fallocate(fd, 0, off_t(bytes))
        close(fd)
        guard rc == 0 else {
            unlink(path)
            return "cannot reserve \(bytes) bytes in \(path): \(String(cString: strerror(rc)))"
        }
        return nil
    }
}
