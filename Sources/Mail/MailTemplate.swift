/// A reusable plain-text layout: greeting, paragraphs wrapped at 72 columns, an optional call-to-action
/// link on a line of its own (never wrapped, so it stays clickable), and a signature after "-- ".
public struct MailTemplate {
    /// Column at which paragraphs are wrapped (words longer than this stay whole).
    public static let wrapColumn = 72

    /// The body text, LF line endings (the renderer turns them into CRLF).
    public static func render(greeting: String, paragraphs: [String], link: String?,
                              signature: String = "The team") -> String {
        var blocks: [String] = []
        let greeting = greeting.trimmingSpaces()
        if !greeting.isEmpty { blocks.append(greeting) }
        for p in paragraphs {
            let wrapped = wrap(p)
            if !wrapped.isEmpty { blocks.append(wrapped) }
        }
        if let link = link?.trimmingSpaces(), !link.isEmpty { blocks.append(link) }
        var text = blocks.joined(separator: "\n\n")
        let signature = signature.trimmingSpaces()
        if !signature.isEmpty { text += (text.isEmpty ? "" : "\n\n") + "-- \n" + signature }
        return text + "\n"
    }

    /// Wraps each line of `paragraph` at `wrapColumn` on spaces; runs of spaces collapse to one.
    static func wrap(_ paragraph: String) -> String {
        var lines: [String] = []
        for rawLine in paragraph.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            var line = ""
            var width = 0
            for word in rawLine.split(whereSeparator: { $0.isWhitespace }) {
                let w = word.count
                if width > 0 && width + 1 + w > wrapColumn {
                    lines.append(line)
                    line = ""
                    width = 0
                }
                if width > 0 { line += " "; width += 1 }
                line += word
                width += w
            }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string without leading and trailing spaces and line breaks.
    fileprivate func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
