/// A header value of the form `type; name=value; name="quoted value"` (Content-Type, Content-Disposition).
///
/// Quoted strings honour only the escapes `\"` and `\\`: browsers send file names raw, so a Windows path
/// such as `C:\dir\a.png` keeps its backslashes (and can then be cut to its basename).
struct HeaderParameters {
    /// The value before the first ';', trimmed, ASCII-lowercased.
    let type: String
    /// Parameters in order: names ASCII-lowercased, values unquoted but otherwise raw bytes.
    let parameters: [(name: String, value: [UInt8])]

    /// The first parameter with that (lowercase) name.
    func first(_ name: String) -> [UInt8]? {
        parameters.first(where: { $0.name == name })?.value
    }

    /// nil when a parameter has no '=' or no name, a quoted string is unterminated, or junk follows one.
    init?(_ b: [UInt8]) {
        let end = b.count
        var i = 0
        while i < end && b[i] != UInt8(ascii: ";") { i += 1 }
        type = Self.lowercased(Self.trimmed(b[0..<i]))
        var parameters: [(name: String, value: [UInt8])] = []
        while i < end {
            i += 1                                   // the ';'
            i = Self.skipSpace(b, i)
            if i == end { break }
            if b[i] == UInt8(ascii: ";") { continue }
            let nameStart = i
            while i < end && b[i] != UInt8(ascii: "=") && b[i] != UInt8(ascii: ";") && !Self.isSpace(b[i]) { i += 1 }
            let name = Self.lowercased(b[nameStart..<i])
            i = Self.skipSpace(b, i)
            guard !name.isEmpty, i < end, b[i] == UInt8(ascii: "=") else { return nil }
            i = Self.skipSpace(b, i + 1)
            var value: [UInt8] = []
            if i < end && b[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < end {
                    let c = b[i]
                    if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    if c == UInt8(ascii: "\\"), i + 1 < end, b[i + 1] == UInt8(ascii: "\"") || b[i + 1] == UInt8(ascii: "\\") {
                        value.append(b[i + 1])
                        i += 2
                        continue
                    }
                    value.append(c)
                    i += 1
                }
                i = Self.skipSpace(b, i)
                guard closed, i == end || b[i] == UInt8(ascii: ";") else { return nil }
            } else {
                let valueStart = i
                while i < end && b[i] != UInt8(ascii: ";") { i += 1 }
                value = Array(Self.trimmed(b[valueStart..<i]))
            }
            parameters.append((name, value))
        }
        self.parameters = parameters
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    static func skipSpace(_ b: [UInt8], _ from: Int) -> Int {
        var i = from
        while i < b.count && isSpace(b[i]) { i += 1 }
        return i
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi && isSpace(s[lo]) { lo += 1 }
        while hi > lo && isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    static func lowercased(_ s: ArraySlice<UInt8>) -> String {
        String(decoding: s.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
