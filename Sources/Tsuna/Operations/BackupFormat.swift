import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// The backup file: a POSIX tar archive (`tar -tvf` lists it, `tar -xf` unpacks it into a usable data
/// folder) holding, in this order:
///
///     tsuna-backup.txt        the manifest: "format=tsuna-backup 1", when, by which tsuna, from which folder
///     secret.key              the signing secret (absent when it comes from TSUNA_SECRET_KEY)
///     snapshots/…             the write-behind snapshot files, taken after the backup began
///     tsuna.sqlite            SQLite's online backup of the database, taken after the snapshots
///     media/…                 uploaded files
///     tsuna-backup.sha256     `sha256sum` lines for every file above (`sha256sum -c` checks an unpacked copy)
///
/// The checksum list comes last, so an archive cut short anywhere lacks it; restore checks every file
/// against it before touching the data folder.
enum BackupFormat {
    static let manifestName = "tsuna-backup.txt"
    static let checksumsName = "tsuna-backup.sha256"
    static let formatLine = "format=tsuna-backup 1"
    static let databaseName = "tsuna.sqlite"
    static let secretName = "secret.key"
    static let snapshotsFolder = "snapshots"
    static let mediaFolder = "media"

    static func manifest(dataDirectory: String, secretInFile: Bool) -> [UInt8] {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let lines = [
            formatLine,
            "created=\(isoTimestamp(clock.tv_sec))",
            "tsuna=\(TsunaVersion.string) commit \(TsunaVersion.commit)",
            "data=\(dataDirectory)",
            "secret=\(secretInFile ? "secret.key" : "TSUNA_SECRET_KEY (not in this backup: keep it with it)")",
        ]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Whether a path from an archive may be extracted: relative, no empty, "." or ".." part, and under one
    /// of the names a backup holds.
    static func isAcceptable(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = parts.first, !path.hasPrefix("/"),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.utf8.contains(0) }) else { return false }
        switch first {
        case Substring(databaseName), Substring(secretName): return parts.count == 1
        case Substring(snapshotsFolder), Substring(mediaFolder): return true
        default: return false
        }
    }

    /// Parses `sha256sum` lines ("<64 hex>  <path>").
    static func parseChecksums(_ bytes: [UInt8]) -> [String: String]? {
        var result: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let hex = line.prefix(64)
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit), line.dropFirst(64).hasPrefix("  ") else { return nil }
            result[String(line.dropFirst(66))] = String(hex)
        }
        return result
    }
}
