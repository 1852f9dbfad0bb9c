/// What the parser needs from one part's header block.
struct PartHeaders {
    /// The form field name; nil (part ignored) when absent, empty or not `form-data`.
    var name: String?
    /// The client's file name, unsanitised; non-nil (possibly empty) makes the part a file.
    var filename: String?
    /// The part's Content-Type, trimmed; nil when absent or empty.
    var contentType: String?

    /// Parses a header block: lines separated by CRLF, without the blank line that ends the block.
    /// Header names are case-insensitive; folded (indented) lines continue the previous header.
    static func parse(_ block: UnsafeRawBufferPointer) throws(MultipartError) -> PartHeaders {
        var disposition: [UInt8]?
        var contentType: [UInt8]?
        var current: HeaderKind?
        var value: [UInt8] = []

        func store() {
            switch current {
            case .disposition?: if disposition == nil { disposition = value }
            case .contentType?: if contentType == nil { contentType = value }
            case .other?, nil: break
            }
        }

        var lineStart = 0
        let end = block.count
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end && block[lineEnd] != 0x0D && block[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd < end {
                guard lineEnd + 1 < end, block[lineEnd] == 0x0D, block[lineEnd + 1] == 0x0A else {
                    throw .malformedBody("a part header contains a bare CR or LF.")
                }
            }
            let line = UnsafeRawBufferPointer(rebasing: block[lineStart..<lineEnd])
            if let first = line.first, HeaderParameters.isSpace(first) {
                guard current != nil else { throw .malformedBody("a part header starts with whitespace.") }
                value.append(0x20)
                value.append(contentsOf: HeaderParameters.trimmed(ArraySlice(line)))
            } else {
                store()
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                      line[..<colon].allSatisfy(isTokenByte) else {
                    throw .malformedBody("a part header line is malformed.")
                }
                current = HeaderKind(HeaderParameters.lowercased(ArraySlice(line[..<colon])))
                value = Array(HeaderParameters.trimmed(ArraySlice(line[(colon + 1)...])))
            }
            lineStart = lineEnd + 2
        }
        store()

        var headers = PartHeaders()
        if let type = contentType, !type.isEmpty {
            headers.contentType = String(decoding: type, as: UTF8.self)
        }
        guard let disposition else { return headers }
        guard let parameters = HeaderParameters(disposition) else {
            throw .malformedBody("the Content-Disposition header of a part is malformed.")
        }
        guard parameters.type == "form-data" else { return headers }
        if let name = parameters.first("name"), !name.isEmpty {
            guard let text = String(validating: name, as: UTF8.self) else {
                throw .malformedBody("a field name is not valid UTF-8.")
            }
            headers.name = text
        }
        let plain = parameters.first("filename")
        let extended = parameters.first("filename*")
        if let plain, !plain.isEmpty {
            headers.filename = String(decoding: plain, as: UTF8.self)
        } else if let extended, let decoded = decodeExtendedValue(extended) {
            headers.filename = decoded
        } else if plain != nil || extended != nil {
            headers.filename = ""
        }
        return headers
    }

    /// Decodes an RFC 5987 `charset'language'percent-encoded` value (UTF-8 or ISO-8859-1); nil if invalid.
    static func decodeExtendedValue(_ raw: [UInt8]) -> String? {
        guard let q1 = raw.firstIndex(of: UInt8(ascii: "'")),
              let q2 = raw[(q1 + 1)...].firstIndex(of: UInt8(ascii: "'")) else { return nil }
        let charset = HeaderParameters.lowercased(raw[..<q1])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count - q2)
        var i = q2 + 1
        while i < raw.count {
            if raw[i] == UInt8(ascii: "%") {
                guard i + 2 < raw.count, let hi = hexValue(raw[i + 1]), let lo = hexValue(raw[i + 2]) else { return nil }
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        switch charset {
        case "utf-8", "us-ascii":
            return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1":
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        default:
            return nil
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// RFC 9110 tchar.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    private enum HeaderKind {
        case disposition, contentType, other
        init(_ lowercasedName: String) {
            switch lowercasedName {
            case "content-disposition": self = .disposition
            case "content-type": self = .contentType
            default: self = .other
            }
        }
    }
}
