/// Address and header-value hygiene shared by the renderer, the outbox and the transports.
enum MailAddress {
    /// Longest recipient accepted (RFC 5321 allows a 256-octet path; a little slack for odd but real ones).
    static let maxLength = 320

    /// True for characters that would end or fold a header line, or confuse an SMTP command line.
    @inline(__always)
    static func isLineBreakOrControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || v == 0x7F || v == 0x85 || v == 0x2028 || v == 0x2029
    }

    /// The value with every control or line-break character replaced by a space (header injection is
    /// then impossible: no CR or LF survives), trimmed of surrounding spaces.
    static func sanitizedHeaderValue(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        var changed = false
        for s in value.unicodeScalars {
            if isLineBreakOrControl(s) {
                scalars.append(" ")
                changed = true
            } else {
                scalars.append(s)
            }
        }
        let clean = changed ? String(scalars) : value
        return trimmedSpaces(clean)
    }

    /// The address inside `Name <addr>`, or the whole value trimmed when there are no angle brackets.
    static func bare(_ value: String) -> String {
        if let open = value.lastIndex(of: "<"),
           let close = value[open...].firstIndex(of: ">") {
            return trimmedSpaces(String(value[value.index(after: open)..<close]))
        }
        return trimmedSpaces(value)
    }

    /// The display name of `Name <addr>` (quotes removed), or nil when there is none.
    static func displayName(_ value: String) -> String? {
        guard let open = value.lastIndex(of: "<"), value[open...].contains(">") else { return nil }
        var name = trimmedSpaces(String(value[..<open]))
        if name.count >= 2, name.first == "\"", name.last == "\"" {
            name = String(name.dropFirst().dropLast())
        }
        return name.isEmpty ? nil : name
    }

    /// Why `address` cannot be a recipient, or nil when it looks deliverable: one mailbox, no
    /// whitespace, controls, angle brackets or separators, a non-empty local part and domain.
    static func problem(with address: String) -> String? {
        if address.isEmpty { return "the recipient is empty" }
        if address.utf8.count > maxLength { return "the recipient is longer than \(maxLength) bytes" }
        for s in address.unicodeScalars {
            if isLineBreakOrControl(s) || s == " " || s == "\t" { return "the recipient contains whitespace or control characters" }
            if s == "<" || s == ">" || s == "," || s == ";" { return "the recipient must be one bare address" }
        }
        guard let at = address.lastIndex(of: "@"),
              at != address.startIndex, address.index(after: at) != address.endIndex else {
            return "the recipient is not of the form local@domain"
        }
        return nil
    }

    /// The domain of an address (after the last "@"), reduced to host-name characters; nil when empty.
    static func domain(of address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let host = address[address.index(after: at)...].unicodeScalars.filter {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "." || $0 == "-"
        }
        return host.isEmpty ? nil : String(String.UnicodeScalarView(host))
    }

    /// True when every scalar is printable ASCII or a space.
    static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func trimmedSpaces(_ s: String) -> String {
        guard let first = s.firstIndex(where: { $0 != " " }) else { return "" }
        guard let last = s.lastIndex(where: { $0 != " " }) else { return "" }
        return String(s[first...last])
    }
}
