#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX file operations the multipart code needs: exclusive creation under a random name,
/// complete writes, and errno text. Internal; paths come from the caller, never from the body.
enum UploadFileIO {
    /// Creates a new file `<directory>/<prefix><random hex>` (mode 0600, write-only) and returns it open.
    static func createUnique(in directory: String, prefix: String) -> (fd: Int32, path: String)? {
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for _ in 0..<8 {
            let path = "\(dir)/\(prefix)\(randomHex())"
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, path) }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR; false on any other failure.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var p = bytes.baseAddress else { return true }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            p += n
            left -= n
        }
        return true
    }

    /// Reads into `buffer`, retrying EINTR; returns bytes read (0 at end of file) or -1.
    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = read(fd, base, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// The text of the current errno.
    static func lastErrorText() -> String { String(cString: strerror(errno)) }

    /// 16 random hex digits (64 bits: collisions are not a practical concern, O_EXCL catches them anyway).
    static func randomHex() -> String {
        let value = UInt64.random(in: .min ... .max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
