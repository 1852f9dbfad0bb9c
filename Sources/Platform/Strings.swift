#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Foundation's `trimmingCharacters(in: .whitespaces / .whitespacesAndNewlines)` without Foundation:
/// the same sets as CoreFoundation's (tab, space, U+00A0, U+1680, U+2000–U+200B, U+202F, U+205F, U+3000;
/// plus U+000A–U+000D, U+0085, U+2028, U+2029), trimmed scalar by scalar as Foundation does.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Foundation's `.whitespaces`).
    public func trimmingWhitespace() -> String { trimming(newlines: false) }

    /// Without leading and trailing whitespace and line breaks (Foundation's `.whitespacesAndNewlines`).
    public func trimmingWhitespaceAndNewlines() -> String { trimming(newlines: true) }

    private func trimming(newlines: Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isTrimmed($0, newlines: newlines) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isTrimmed($0, newlines: newlines) })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return String(self) }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    @inline(__always)
    private static func isTrimmed(_ scalar: Unicode.Scalar, newlines: Bool) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
        default: return false
        }
    }
}

extension Paths {
    /// The folder for temporary files, ending in "/": $TMPDIR, else "/tmp/" (Foundation's
    /// `NSTemporaryDirectory()` on Linux).
    public static func temporaryDirectory() -> String {
        guard let value = getenv("TMPDIR") else { return "/tmp/" }
        let path = String(cString: value)
        return path.hasSuffix("/") ? path : path + "/"
    }
}
