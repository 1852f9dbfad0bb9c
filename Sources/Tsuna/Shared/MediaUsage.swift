import Platform
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The size of the media folder, measured on a background thread at most once a minute: a request only reads
/// the last measure (and may start the next one), it never walks the folder itself.
final class MediaUsage: Sendable {
    struct Measure: Sendable {
        var bytes: Int64?
        var files = 0
        var measuredAt: Int64 = 0
    }
    private struct State { var last = Measure(); var running = false }
    static let maxAgeMicros: Int64 = 60_000_000
    let directory: String
    private let state = Locked(State())

    init(directory: String) { self.directory = directory }

    /// The last measure (bytes nil before the first one finished).
    func current(now: Int64) -> Measure {
        let (last, start) = state.withLock { s -> (Measure, Bool) in
            let stale = s.last.bytes == nil || now - s.last.measuredAt >= MediaUsage.maxAgeMicros
            let start = stale && !s.running
            if start { s.running = true }
            return (s.last, start)
        }
        if start {
            DispatchQueue.global(qos: .utility).async { [self] in
                let (bytes, files) = MediaUsage.walk(directory)
                state.withLock { $0 = State(last: Measure(bytes: bytes, files: files, measuredAt: Clock.nowMicros()), running: false) }
            }
        }
        return last
    }

    /// Bytes and number of regular files under `directory` (symbolic links are not followed).
    static func walk(_ directory: String) -> (Int64, Int) {
        var bytes: Int64 = 0, files = 0
        var pending = [directory]
        while let folder = pending.popLast() {
            guard let dir = opendir(folder) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = folder + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG:
                    bytes += Int64(info.st_size)
                    files += 1
                case S_IFDIR:
                    pending.append(path)
                default:
                    break
                }
            }
        }
        return (bytes, files)
    }
}
