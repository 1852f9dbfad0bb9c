import Archive
import Security
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `tsuna restore <file>`: rebuilds the data folder from a backup while no server runs on it.
///
/// Nothing in the folder changes until the whole archive has been read and checked: it is unpacked into a
/// hidden staging folder inside the data folder (same file system, so the final moves are renames), every
/// file is checked against the archive's checksum list, the database must pass SQLite's quick_check and be
/// at a schema version this binary knows. Only then are the folder's old contents moved aside and the
/// staged ones moved in. The folder stays locked (`DataFolderLock`) throughout, so no server starts on it
/// meanwhile.
struct Restorer {
    let configuration: Configuration
    let source: String
    let force: Bool

    struct Summary: CustomStringConvertible {
        var files = 0
        var bytes: Int64 = 0
        var schemaVersion = 0
        var created = ""
        var description: String {
            "\(files) files, \(BackupWriter.Summary.megabytes(bytes)), database at schema version \(schemaVersion)"
                + (created.isEmpty ? "" : ", backup made \(created)")
        }
    }

    /// Names the data folder may hold that are not data: they neither make it "non-empty" nor get replaced.
    static let ignoredNames: Set<String> = [DataFolderLock.fileName, SnapshotBarrier.requestName, SnapshotBarrier.answerName]

    func run() throws -> Summary {
        let data = configuration.dataDirectory
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileTree.failure("read", source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StartupError("\(source) is not a regular file")
        }

        let createdFolder = !FileTree.exists(data)
        let existing = (try FileTree.names(data) ?? []).filter { !Restorer.ignoredNames.contains($0) && !$0.hasPrefix(".restore-") }
        if !existing.isEmpty && !force {
            throw StartupError("the data folder \(data) is not empty; add --force to replace its contents")
        }
        if let holder = DataFolderLock.holder(of: data) {
            throw StartupError("the data folder \(data) is in use by \(holder); stop it first")
        }
        let lock = try DataFolderLock.acquire(data, for: "restore")
        // Left by a restore that was killed mid-way (none runs now: the lock is ours).
        for name in try FileTree.names(data) ?? [] where name.hasPrefix(".restore-") { try FileTree.remove(data + "/" + name) }
        let staging = data + "/.restore-\(getpid())"
        var done = false
        defer {
            try? FileTree.remove(staging)
            if !done && createdFolder {
                // Nothing of this run stays behind: not even the folder it made.
                unlink(data + "/" + DataFolderLock.fileName)
                rmdir(data)
            }
            withExtendedLifetime(lock) {}
        }
        guard mkdir(staging, 0o700) == 0 else { throw FileTree.failure("create", staging) }

        var summary = try unpack(input, into: staging)
        summary.schemaVersion = try checkDatabase(staging + "/" + BackupFormat.databaseName)
        for folder in ["mail", "tmp", BackupFormat.snapshotsFolder, BackupFormat.mediaFolder] {
            if !FileTree.exists(staging + "/" + folder) { mkdir(staging + "/" + folder, 0o700) }
        }
        var special: [String] = []
        let staged = try FileTree.walk(staging, skipped: &special).map { staging + "/" + $0.relative }
        FileTree.giveToOwner(of: data, staged)

        // The switch: old contents aside, staged ones in, then the old ones removed.
        let aside = data + "/.restore-\(getpid())-replaced"
        guard mkdir(aside, 0o700) == 0 else { throw FileTree.failure("create", aside) }
        for name in existing {
            guard rename(data + "/" + name, aside + "/" + name) == 0 else { throw FileTree.failure("move aside", data + "/" + name) }
        }
        for name in try FileTree.names(staging) ?? [] {
            guard rename(staging + "/" + name, data + "/" + name) == 0 else { throw FileTree.failure("move into place", name) }
        }
        done = true
        FileTree.syncDirectory(data)
        try FileTree.remove(aside)
        return summary
    }

    /// Extracts every entry into `staging`, checking paths, sizes and checksums; throws on anything that is
    /// not a complete Tsuna backup.
    private func unpack(_ input: Int32, into staging: String) throws -> Summary {
        let reader = TarReader(fd: input)
        var summary = Summary()
        do {
            guard let first = try reader.next(), first.path == BackupFormat.manifestName, case .file = first.kind else {
                throw StartupError("\(source) is not a Tsuna backup (it does not start with \(BackupFormat.manifestName))")
            }
            let manifestBytes = try reader.readAll(limit: 64 * 1024)
            let manifest = String(decoding: manifestBytes, as: UTF8.self)
            guard manifest.hasPrefix(BackupFormat.formatLine + "\n") else {
                throw StartupError("\(source) is a backup format this tsuna does not know: \(manifest.prefix(40))")
            }
            summary.created = manifest.split(separator: "\n").first { $0.hasPrefix("created=") }.map { String($0.dropFirst(8)) } ?? ""
            let manifestDigest = SHA256Digest()
            manifestDigest.update(manifestBytes)
            var digests = [BackupFormat.manifestName: manifestDigest.finalHex()]
            var expected: [String: String]?
            while let entry = try reader.next() {
                if entry.path == BackupFormat.checksumsName {
                    expected = BackupFormat.parseChecksums(try reader.readAll(limit: 64 << 20))
                    guard expected != nil else { throw StartupError("\(source) has an unreadable checksum list") }
                    continue
                }
                guard expected == nil, BackupFormat.isAcceptable(entry.path) else {
                    throw StartupError("\(source) holds an unexpected entry: \(entry.path)")
                }
                let path = staging + "/" + entry.path
                switch entry.kind {
                case .directory:
                    guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw FileTree.failure("create", path) }
                case .file:
                    digests[entry.path] = try extract(reader, entry, to: path)
                    summary.bytes += entry.size
                case .other:
                    throw StartupError("\(source) holds an entry that is neither a file nor a folder: \(entry.path)")
                }
            }
            guard let expected else { throw TarError.truncated }
            guard digests == expected else {
                let bad = Set(expected.keys).union(digests.keys).filter { digests[$0] != expected[$0] }.sorted()
                throw StartupError("\(source) is damaged: checksums differ for \(bad.prefix(5).joined(separator: ", "))")
            }
            guard digests[BackupFormat.databaseName] != nil else { throw StartupError("\(source) holds no database") }
            summary.files = digests.count
            return summary
        } catch let error as TarError {
            if case .badHeader(let offset, _) = error, offset == 0 {
                throw StartupError("\(source) is not a Tsuna backup (not a tar archive)")
            }
            throw StartupError("\(source) cannot be restored: \(error)")
        }
    }

    /// Writes one file (0600, its recorded modification time), returning its SHA-256.
    private func extract(_ reader: TarReader, _ entry: TarEntry, to path: String) throws -> String {
        let parent = FileTree.parent(of: path)
        if !FileTree.exists(parent) { try makeFolders(parent) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileTree.failure("create", path) }
        defer { close(fd) }
        let digest = SHA256Digest()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            try chunk.withUnsafeBytes { bytes in
                let part = UnsafeRawBufferPointer(rebasing: bytes[0..<n])
                digest.update(part)
                var done = 0
                while done < n {
                    let w = write(fd, part.baseAddress! + done, n - done)
                    if w < 0 {
                        if errno == EINTR { continue }
                        throw FileTree.failure("write", path)
                    }
                    done += w
                }
            }
        }
        var times = [timespec(tv_sec: Int(entry.modified), tv_nsec: 0), timespec(tv_sec: Int(entry.modified), tv_nsec: 0)]
        futimens(fd, &times)
        guard fsync(fd) == 0 else { throw FileTree.failure("write", path) }
        return digest.finalHex()
    }

    /// Folders an archive written by another tool may leave implicit.
    private func makeFolders(_ path: String) throws {
        let parent = FileTree.parent(of: path)
        if !FileTree.exists(parent) { try makeFolders(parent) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw FileTree.failure("create", path) }
    }

    /// SQLite's quick_check, and a schema this binary can run; returns the schema version.
    private func checkDatabase(_ path: String) throws -> Int {
        let connection: Connection
        do {
            connection = try Connection(path: path, readOnly: true)
        } catch {
            throw StartupError("the backup's database cannot be opened: \(error)")
        }
        defer { connection.close() }
        let check = (try? connection.queryOne("PRAGMA quick_check") { $0.string(0) }) ?? nil
        guard check == "ok" else { throw StartupError("the backup's database is damaged: \(check ?? "unreadable")") }
        let version = ((try? connection.queryOne("PRAGMA user_version") { $0.int(0) }) ?? nil) ?? 0
        guard version <= Schema.latestVersion else {
            throw StartupError("the backup's database is at schema version \(version), newer than this binary knows "
                               + "(\(Schema.latestVersion)): restore it with the tsuna that made it, or a newer one")
        }
        return version
    }
}
