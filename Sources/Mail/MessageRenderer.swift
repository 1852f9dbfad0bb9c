import FoundationEssentials

/// Renders a message as RFC 5322 text with CRLF line endings, ready for SMTP DATA or an .eml file.
///
/// Header values are cleaned of every control and line-break character, so a subject or address cannot
/// add headers. The body goes out as 7bit when it is plain ASCII with short lines (links stay readable
/// in the raw message), otherwise as quoted-printable UTF-8.
public enum MessageRenderer {
    /// Longest line 7bit transfer allows (RFC 5322: 998 characters before CRLF).
    static let maxRawLineLength = 998

    /// The complete message: From, To, Subject, Date, Message-ID, MIME headers, blank line, body.
    public static func render(_ m: MailMessage, from: String, date: Date) -> String {
        let fromValue = addressHeaderValue(from)
        let toValue = addressHeaderValue(m.to)
        let subject = MailAddress.sanitizedHeaderValue(m.subject)
        let (encoding, body) = encodedBody(m.body)
        var out = ""
        out.reserveCapacity(body.utf8.count + 512)
        out += "From: " + fromValue + "\r\n"
        out += "To: " + toValue + "\r\n"
        out += "Subject: " + EncodedWord.headerValue(subject, name: "Subject") + "\r\n"
        out += "Date: " + UTCTime(date).rfc5322 + "\r\n"
        out += "Message-ID: " + messageID(m, from: from, date: date) + "\r\n"
        out += "MIME-Version: 1.0\r\n"
        out += "Content-Type: text/plain; charset=utf-8\r\n"
        out += "Content-Transfer-Encoding: " + encoding + "\r\n"
        out += "\r\n"
        out += body
        return out
    }

    /// "<id>.<µs>.<random>@<sender's domain>": unique per message and per attempt.
    static func messageID(_ m: MailMessage, from: String, date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let micros = seconds.isFinite && abs(seconds) < 1e12 ? Int64(seconds * 1e6) : 0
        let random = String(UInt64.random(in: .min ... .max), radix: 36)
        let domain = MailAddress.domain(of: MailAddress.bare(MailAddress.sanitizedHeaderValue(from))) ?? "localhost"
        return "<\(m.id).\(micros).\(random)@\(domain)>"
    }

    /// An address header value: "addr", or "Name <addr>" with a non-ASCII name as encoded-words.
    static func addressHeaderValue(_ raw: String) -> String {
        let clean = MailAddress.sanitizedHeaderValue(raw)
        guard let name = MailAddress.displayName(clean) else { return clean }
        let address = MailAddress.bare(clean)
        if MailAddress.isPrintableASCII(name) && !name.contains("=?") {
            let quoted = name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return EncodedWord.encode(name) + " <\(address)>"
    }

    /// The transfer encoding's name and the encoded body (CRLF line endings, final CRLF).
    static func encodedBody(_ text: String) -> (String, String) {
        var needsEncoding = false
        for line in BodyLines(text) {
            if line.count > maxRawLineLength { needsEncoding = true; break }
            // 7bit: printable ASCII and tab only.
            if line.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 >= 0x7F }) { needsEncoding = true; break }
        }
        if needsEncoding { return ("quoted-printable", QuotedPrintable.encode(text)) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 64)
        for line in BodyLines(text) {
            out += String(decoding: line, as: UTF8.self)
            out += "\r\n"
        }
        return ("7bit", out)
    }
}
