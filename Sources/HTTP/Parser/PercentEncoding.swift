/// Percent-decoding and query/form parsing.
public enum PercentEncoding {
    /// Decodes %XX escapes (and '+' as space when asked); nil on a bad %XX or invalid UTF-8.
    public static func decode(_ s: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = s.utf8
        // Fast path: nothing to decode, and a Substring is already valid UTF-8.
        if !utf8.contains(where: { $0 == ByteClass.percent || (plusAsSpace && $0 == ByteClass.plus) }) {
            return String(s)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var bytes = utf8.makeIterator()
        while let b = bytes.next() {
            if b == ByteClass.percent {
                guard let h = bytes.next(), let hi = ByteClass.hexValue(h),
                      let l = bytes.next(), let lo = ByteClass.hexValue(l) else { return nil }
                out.append(hi << 4 | lo)
            } else {
                out.append(plusAsSpace && b == ByteClass.plus ? ByteClass.space : b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// True when every '%' is followed by two hex digits.
    public static func isValid(_ s: Substring) -> Bool {
        var copy = s
        return copy.withUTF8 { utf8 in
            guard let view = ByteView(UnsafeRawBufferPointer(utf8)) else { return true }
            return isValid(view, 0, view.count)
        }
    }

    /// "a=1&b=&c" -> [("a","1"),("b",""),("c","")]; nil if any part has bad percent-encoding. '+' is space.
    /// Empty parts ("a=1&&b=2") are skipped; only the first '=' splits name from value.
    /// Percent-encodes everything but RFC 3986's unreserved characters: a query name or value.
    public static func encodeComponent(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    public static func parseForm(_ s: Substring) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        // Split on bytes: '&' and '=' are ASCII, so every cut lands on a character boundary.
        for part in s.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                name = Substring(part[part.startIndex..<eq])
                value = Substring(part[part.index(after: eq)...])
            } else {
                name = Substring(part)
                value = Substring(part[part.endIndex...])
            }
            guard let decodedName = decode(name, plusAsSpace: true),
                  let decodedValue = decode(value, plusAsSpace: true) else { return nil }
            pairs.append((decodedName, decodedValue))
        }
        return pairs
    }

    /// True when every '%' in [start, end) is followed by two hex digits.
    static func isValid(_ view: ByteView, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while let p = view.find(ByteClass.percent, from: i, to: end) {
            guard p + 2 < end, ByteClass.hexValue(view[p + 1]) != nil,
                  ByteClass.hexValue(view[p + 2]) != nil else { return false }
            i = p + 3
        }
        return true
    }
}
