/// Quoted-printable (RFC 2045 §6.7) for text bodies: lines of at most 76 characters, UTF-8 sequences
/// never split across a soft line break, CRLF hard line breaks.
public enum QuotedPrintable {
    /// Longest encoded line, soft-break "=" included.
    static let maxLineLength = 76
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes `text`; its line breaks (CRLF, LF or CR) become CRLF, and the result ends with CRLF.
    public static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 4 + 8)
        for line in BodyLines(text) { encodeLine(line, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes quoted-printable text back to its bytes read as UTF-8 (soft breaks removed; a malformed
    /// "=" sequence is kept literally).
    public static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "=") else { out.append(b); i += 1; continue }
            if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { i += 3; continue }
            if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 2; continue }
            if i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one encoded line (soft-broken as needed) and its CRLF.
    private static func encodeLine(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var column = 0
        var token: [UInt8] = []
        token.reserveCapacity(12)
        var i = line.startIndex
        while i < line.endIndex {
            // One UTF-8 sequence at a time: its lead byte and following continuation bytes.
            var end = line.index(after: i)
            while end < line.endIndex, line[end] & 0xC0 == 0x80, end - i < 4 { end += 1 }
            let isLast = end == line.endIndex
            token.removeAll(keepingCapacity: true)
            for b in line[i..<end] {
                let literal = (b >= 33 && b <= 126 && b != UInt8(ascii: "="))
                    || ((b == 0x20 || b == 0x09) && !isLast)   // trailing whitespace must be encoded
                if literal {
                    token.append(b)
                } else {
                    token.append(UInt8(ascii: "="))
                    token.append(hex[Int(b >> 4)])
                    token.append(hex[Int(b & 0x0F)])
                }
            }
            // The last token may reach 76; any other must leave room for the soft-break "=".
            let limit = isLast ? maxLineLength : maxLineLength - 1
            if column > 0 && column + token.count > limit {
                out.append(UInt8(ascii: "="))
                out.append(0x0D)
                out.append(0x0A)
                column = 0
            }
            out.append(contentsOf: token)
            column += token.count
            i = end
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// The lines of a text as UTF-8 byte slices, splitting on CRLF, LF or lone CR. A final line break does
/// not produce an extra empty line; an empty text is one empty line.
struct BodyLines: Sequence, IteratorProtocol {
    private let bytes: [UInt8]
    private var position = 0
    private var done = false

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func next() -> ArraySlice<UInt8>? {
        if done { return nil }
        let start = position
        var i = position
        while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
        let line = bytes[start..<i]
        if i == bytes.count {
            done = true
            // "a\n" is one line; "" is one empty line.
            if start == bytes.count && start > 0 { return nil }
            return line
        }
        position = i + 1
        if bytes[i] == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
        if position == bytes.count { done = true }
        return line
    }
}
