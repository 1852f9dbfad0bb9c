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
    public static func parseForm(_ s: Substring) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in s.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                name = part[part.startIndex..<eq]
                value = part[part.index(after: eq)...]
            } else {
                name = part
                value = part[part.endIndex...]
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
