#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// printf-style numbers without Foundation's `String(format:)`: the C library formats them, in the
/// "C" locale the process runs in (a Swift program never calls setlocale), so the output is the same
/// bytes as `String(format:)` gave (always "." as the decimal separator).
public enum CFormat {
    /// `value` with `digits` digits after the point, like "%.<digits>f".
    public static func fixed(_ value: Double, digits: Int) -> String {
        format("%.\(digits)f", value)
    }

    /// `byte` as two lowercase hex digits, like "%02x".
    public static func hex2(_ byte: UInt8) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
    }

    /// One C `printf` format of `arguments` (numbers only: no %s, no %@).
    public static func format(_ format: String, _ arguments: CVarArg...) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = withVaList(arguments) { Int(vsnprintf(&buffer, buffer.count, format, $0)) }
        if length >= buffer.count {
            buffer = [CChar](repeating: 0, count: length + 1)
            length = withVaList(arguments) { Int(vsnprintf(&buffer, buffer.count, format, $0)) }
        }
        guard length > 0 else { return "" }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Path helpers without NSString bridging.
public enum Paths {
    /// `path` without its last component, as NSString's `deletingLastPathComponent`: trailing slashes
    /// ignored; "" for a bare name; "/" for a name at the root.
    public static func deletingLastComponent(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        var end = slash
        while end > 0 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        if end == 0 { return "/" }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
