import Archive
import Security
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `tsuna backup <file>`: one archive (see `BackupFormat`) holding everything acknowledged before it began.
///
/// The order is what makes it whole while a server runs: the server is first asked to snapshot its
/// write-behind caches (`SnapshotBarrier`), then the snapshot files are copied, then the database. A flush
/// between the two copies moves entries into the database and raises its flushed sequence numbers, which
/// the copy of the database then carries: at start the restored server skips those entries of the older
/// snapshot files (they are in the database) and replays the rest, exactly as after a crash. Media come
/// last: a file written for a row in the copied database is on disk before the row is committed.
struct BackupWriter {
    let configuration: Configuration
    let target: String
    let force: Bool
    /// How long to wait for the running server's snapshot.
    var snapshotTimeoutSeconds: Double = 60

    struct Summary: CustomStringConvertible {
        var files = 0, snapshots = 0, media = 0
        var bytes: Int64 = 0
        var skipped: [String] = []
        var waitedForServer: String?

        var description: String {
            var text = "\(files) files, \(Summary.megabytes(bytes)) (database, \(snapshots) snapshot files, \(media) media files)"
            if let waitedForServer { text += "; pending writes snapshotted by \(waitedForServer)" }
            if !skipped.isEmpty { text += "; left out \(skipped.count) links or special files: \(skipped.prefix(5).joined(separator: ", "))" }
            return text
        }

        static func megabytes(_ bytes: Int64) -> String {
            let tenths = (bytes * 10 + 524_288) / 1_048_576
            return "\(tenths / 10).\(tenths % 10) MB"
        }
    }

    func write() throws -> Summary {
        let began = SnapshotBarrier.monotonicMicros()
        let data = configuration.dataDirectory
        if !force && FileTree.exists(target) {
            throw StartupError("\(target) exists; add --force to replace it")
        }
        guard FileTree.exists(configuration.databasePath) else {
            throw StartupError("there is no database at \(configuration.databasePath): nothing to back up")
        }
        var summary = Summary()
        if let server = DataFolderLock.holder(of: data) {
            switch SnapshotBarrier.request(dataDirectory: data, since: began, timeoutSeconds: snapshotTimeoutSeconds) {
            case .snapshotted: summary.waitedForServer = server
            case .serverStopped: break
            case .failed(let why): throw StartupError(why)
            }
        }

        let partial = target + ".partial-\(getpid())"
        let databaseCopy = partial + ".sqlite"
        let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileTree.failure("create", partial) }
        var finished = false
        defer {
            if !finished {
                close(fd)
                unlink(partial)
            }
            unlink(databaseCopy)
            unlink(databaseCopy + "-journal")
        }
        fchmod(fd, 0o600)
        let archive = ArchiveSink(TarWriter(fd: fd))
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let now = Int64(clock.tv_sec)
        let secretInFile = configuration.secretKey == nil
        try archive.add(BackupFormat.manifestName, contents: BackupFormat.manifest(dataDirectory: data, secretInFile: secretInFile),
                        modified: now)
        if secretInFile {
            guard try archive.copy(configuration.secretKeyPath, as: BackupFormat.secretName) else {
                throw StartupError("\(configuration.secretKeyPath) is missing: tokens could not be checked after a restore")
            }
        }

        try archive.writer.addDirectory(BackupFormat.snapshotsFolder, modified: now)
        for name in try FileTree.names(configuration.snapshotDirectory) ?? [] where name.hasSuffix(".snapshot") {
            // A file removed since the listing was flushed into the database, which is copied next.
            if try archive.copy(configuration.snapshotDirectory + "/" + name, as: BackupFormat.snapshotsFolder + "/" + name) {
                summary.snapshots += 1
            }
        }

        try copyDatabase(to: databaseCopy)
        guard try archive.copy(databaseCopy, as: BackupFormat.databaseName) else {
            throw StartupError("the copy of the database vanished from \(databaseCopy)")
        }
        unlink(databaseCopy)

        try archive.writer.addDirectory(BackupFormat.mediaFolder, modified: now)
        for item in try FileTree.walk(configuration.mediaDirectory, skipped: &summary.skipped) {
            let name = BackupFormat.mediaFolder + "/" + item.relative
            if item.isDirectory {
                try archive.writer.addDirectory(name, modified: now)
            } else if try archive.copy(configuration.mediaDirectory + "/" + item.relative, as: name) {
                summary.media += 1
            }
        }

        try archive.add(BackupFormat.checksumsName, contents: Array(archive.checksums.joined().utf8), modified: now)
        try archive.writer.finish()
        guard fsync(fd) == 0 else { throw FileTree.failure("write", partial) }
        guard close(fd) == 0 else { throw FileTree.failure("write", partial) }
        finished = true
        guard rename(partial, target) == 0 else {
            let code = errno
            unlink(partial)
            throw FileTree.failure("rename the backup to", target, code)
        }
        FileTree.syncDirectory(FileTree.parent(of: target))
        summary.files = archive.checksums.count
        summary.bytes = archive.writer.bytesWritten
        return summary
    }

    /// SQLite's online backup, read-only on the live database: one consistent state, writers carry on. When
    /// root runs it on the service's folder and SQLite had to create the -wal or -shm file, they are handed
    /// to the folder's owner, so the service can still open its database.
    private func copyDatabase(to copy: String) throws {
        let path = configuration.databasePath
        let sidecars = [path + "-wal", path + "-shm"].filter { !FileTree.exists($0) }
        defer { FileTree.giveToOwner(of: configuration.dataDirectory, sidecars.filter(FileTree.exists)) }
        let connection = try Connection(path: path, readOnly: true)
        defer { connection.close() }
        try connection.backup(to: copy)
    }
}

/// The archive being written, with the `sha256sum` line of every file added.
final class ArchiveSink {
    let writer: TarWriter
    private(set) var checksums: [String] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    init(_ writer: TarWriter) { self.writer = writer }

    func add(_ name: String, contents: [UInt8], modified: Int64) throws {
        try writer.addFile(name, contents: contents, modified: modified)
        if name != BackupFormat.checksumsName {
            let digest = SHA256Digest()
            digest.update(contents)
            checksums.append("\(digest.finalHex())  \(name)\n")
        }
    }

    /// Streams the file at `path` into the archive as `name`; false when it does not exist (any more).
    /// A file that changes size while it is read fails the backup rather than storing a torn copy.
    func copy(_ path: String, as name: String) throws -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw FileTree.failure("read", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileTree.failure("read", path) }
        let size = Int64(info.st_size)
        try writer.beginFile(name, size: size, mode: 0o600, modified: Int64(info.st_mtim.tv_sec))
        let digest = SHA256Digest()
        var left = size
        while left > 0 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, Int(min(Int64($0.count), left))) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileTree.failure("read", path)
            }
            guard n > 0 else { throw TarError.sizeMismatch(path: path, declared: size, written: size - left) }
            try chunk.withUnsafeBytes { bytes in
                let part = UnsafeRawBufferPointer(rebasing: bytes[0..<n])
                digest.update(part)
                try writer.write(part)
            }
            left -= Int64(n)
        }
        try writer.endFile()
        checksums.append("\(digest.finalHex())  \(name)\n")
        return true
    }
}
