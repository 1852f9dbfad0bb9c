import JSON

/// How the /docs page writes a schema and a description: a type in words with links to named schemas, the
/// limits a field carries, `code` spans.
enum DocsText {
    /// "string (uuid)", "integer", "string or null", "Channel" (a link), "page of Plan", "one of: pr, pu".
    static func type(_ schema: JSONValue) -> String {
        if let ref = schema["$ref"]?.stringValue {
            let name = String(ref.split(separator: "/").last ?? "")
            return "<a href=\"#schema-\(HTML.escape(name))\">\(HTML.escape(name))</a>"
        }
        for key in ["anyOf", "oneOf"] {
            if let options = schema[key]?.arrayValue { return options.map(type).joined(separator: " or ") }
        }
        if let results = schema["properties"]?["results"], schema["properties"]?["next"] != nil {
            return "page of " + type(results["items"] ?? [:])
        }
        let types: [String]
        switch schema["type"] {
        case .string(let t)?: types = [t]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: types = []
        }
        var words = types.map { t -> String in
            if t == "array", let items = schema["items"] { return "array of " + type(items) }
            if t == "string", let format = schema["format"]?.stringValue { return "string (\(HTML.escape(format)))" }
            return HTML.escape(t)
        }
        if types.isEmpty && schema["properties"] != nil { words = ["object"] }
        if let values = schema["enum"]?.arrayValue {
            return "one of: " + values.map { v in
                v.isNull ? "null" : "<code>\(HTML.escape(v.stringValue ?? v.numberValue?.text ?? v.boolValue.map { "\($0)" } ?? ""))</code>"
            }.joined(separator: ", ")
        }
        return words.isEmpty ? "any" : words.joined(separator: " or ")
    }

    /// The constraints of a field: lengths (in code points), ranges, pattern, default.
    static func limits(_ schema: JSONValue) -> String {
        var parts: [String] = []
        if let n = schema["minLength"]?.numberValue?.text { parts.append("≥ \(n) characters") }
        if let n = schema["maxLength"]?.numberValue?.text { parts.append("≤ \(n) characters") }
        if let n = schema["minimum"]?.numberValue?.text { parts.append("≥ \(n)") }
        if let n = schema["maximum"]?.numberValue?.text { parts.append("≤ \(n)") }
        if let p = schema["pattern"]?.stringValue {
            parts.append(p == "\\S" ? "not blank" : "matches <code>\(HTML.escape(p))</code>")
        }
        if let d = schema["default"] {
            let text = d.stringValue.map { "“\($0)”" } ?? d.numberValue?.text ?? d.boolValue.map { "\($0)" } ?? "null"
            parts.append("default \(HTML.escape(text))")
        }
        return parts.joined(separator: "<br>")
    }

    /// Escapes `text` and turns `code` spans into <code>.
    static func inline(_ text: String) -> String {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
        var out = ""
        // An odd piece sits between two backticks, unless it is the last one and its backtick is never closed.
        let unclosed = pieces.count % 2 == 0 ? pieces.count - 1 : -1
        for (i, piece) in pieces.enumerated() {
            let escaped = HTML.escape(String(piece))
            out += i % 2 == 1 && i != unclosed ? "<code>\(escaped)</code>" : (i == unclosed ? "`" : "") + escaped
        }
        return out
    }
}
