import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// No SMTP configured: each message becomes `<directory>/<UTC timestamp>-<id>.eml`, written to a
/// `.tmp` file, flushed and renamed, so a reader never sees a partial message.
public final class FileTransport: MailTransport {
    /// Where the .eml files go (created on first send when missing).
    public let directory: String

    /// Creates a transport writing into `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// Renders `message` and writes it; throws MailError when the file cannot be written.
    public func send(_ message: MailMessage, from: String) throws {
        let now = Date()
        let text = MessageRenderer.render(message, from: from, date: now)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MailError("cannot create mail directory \(directory): \(FileTransport.reason(error))")
        }
        let path = directory + "/" + UTCTime(now).compact + "-" + String(message.id) + ".eml"
        try FileTransport.writeAtomically(Array(text.utf8), to: path)
    }

    /// What went wrong, for the message: the system's words for the underlying errno when there is one.
    static func reason(_ error: Error) -> String {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return "\(error)"
    }

    /// Writes `bytes` to `path + ".tmp"` (mode 0600: messages carry tokens), fsyncs, renames over `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MailError("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let n = write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(tmp): \(String(cString: strerror(errno)))"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot flush \(tmp): \(String(cString: strerror(errno)))" }
        close(fd)
        if failure == nil, rename(tmp, path) != 0 { failure = "cannot rename \(tmp): \(String(cString: strerror(errno)))" }
        if let failure {
            unlink(tmp)
            throw MailError(failure)
        }
    }
}
