#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes on a file descriptor without Foundation's `FileHandle`.
public enum StandardStream {
    /// Writes all of `bytes` to `fd` (retrying short writes and EINTR); false when a write failed.
    @discardableResult
    public static func write<Bytes: Collection<UInt8>>(_ bytes: Bytes, to fd: Int32) -> Bool {
        let done: Bool? = bytes.withContiguousStorageIfAvailable { buffer in
            writeAll(UnsafeRawBufferPointer(buffer), to: fd)
        }
        if let done { return done }
        return Array(bytes).withUnsafeBytes { writeAll($0, to: fd) }
    }

    /// `text` on standard error (unbuffered, like FileHandle.standardError).
    @discardableResult
    public static func error(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: 2) }
    }

    /// `bytes` on standard output, unbuffered: flush `print`'s buffer first when mixing the two.
    @discardableResult
    public static func output<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool { write(bytes, to: 1) }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
