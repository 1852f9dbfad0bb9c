import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// How `tsuna backup`, a separate process, learns that every write the running server acknowledged before
/// the backup began is in `<data>/snapshots/`: it creates `<data>/snapshot.request`; the server, which looks
/// for that file a few times a second, removes it, notes the time, snapshots every write-behind cache and
/// answers in `<data>/snapshot.done` with that time and the outcome. An answer noted after the backup began
/// covers everything acknowledged before it: the snapshot started later still.
///
/// Times are CLOCK_MONOTONIC, which every process of the machine shares and which no clock change moves.
enum SnapshotBarrier {
    static let requestName = "snapshot.request"
    static let answerName = "snapshot.done"
    /// How often the server looks for a request.
    static let pollInterval: Duration = .milliseconds(200)

    static func monotonicMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    // MARK: - The server's side

    /// Answers requests until cancelled. `snapshot` writes every cache's pending entries to its files.
    static func serve(dataDirectory: String, snapshot: @escaping @Sendable () async throws -> Void) -> Task<Void, Never> {
        let request = dataDirectory + "/" + requestName
        let answer = dataDirectory + "/" + answerName
        return Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                guard access(request, F_OK) == 0, unlink(request) == 0 else { continue }
                let seen = monotonicMicros()
                var outcome = "ok"
                do {
                    try await snapshot()
                } catch {
                    outcome = "failed: \(error)"
                    logLine(level: .error, "backup: the snapshot it asked for failed: \(error)")
                }
                writeAtomically(answer, "\(seen) \(outcome)\n")
            }
        }
    }

    private static func writeAtomically(_ path: String, _ text: String) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == bytes.count { rename(temporary, path) } else { unlink(temporary) }
    }

    // MARK: - The backup's side

    enum Outcome: Equatable {
        /// The server snapshotted after `since`.
        case snapshotted
        /// The server stopped meanwhile: a graceful stop flushed everything to the database, a crash left
        /// the snapshots a restart would load; either way the files on disk are the state to copy.
        case serverStopped
        case failed(String)
    }

    /// Asks the server serving `dataDirectory` for a snapshot taken after `since` and waits for it.
    static func request(dataDirectory: String, since: Int64, timeoutSeconds: Double) -> Outcome {
        let request = dataDirectory + "/" + requestName
        let fd = open(request, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return .failed("cannot create \(request): \(String(cString: strerror(errno)))")
        }
        close(fd)
        let deadline = monotonicMicros() + Int64(timeoutSeconds * 1e6)
        while monotonicMicros() < deadline {
            if let (seen, outcome) = readAnswer(dataDirectory + "/" + answerName), seen >= since {
                return outcome == "ok" ? .snapshotted : .failed("the server could not snapshot its pending writes: \(outcome)")
            }
            if DataFolderLock.holder(of: dataDirectory) == nil {
                unlink(request)
                return .serverStopped
            }
            usleep(50_000)
        }
        unlink(request)
        return .failed("the server did not snapshot its pending writes within \(Int(timeoutSeconds)) seconds "
                       + "(a tsuna older than this one does not answer backups: upgrade it, or stop it and back up then)")
    }

    private static func readAnswer(_ path: String) -> (Int64, String)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).filter { $0 != "\n" }
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let seen = Int64(parts[0]) else { return nil }
        return (seen, String(parts[1]))
    }
}
