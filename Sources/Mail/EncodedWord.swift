import FoundationEssentials

/// Header text: RFC 5322 folding for plain ASCII, RFC 2047 encoded-words for the rest.
enum EncodedWord {
    /// Raw bytes per encoded-word: 39 bytes → 52 base64 characters → a 64-character word, so even
    /// "Subject: " plus the first word stays under the 78-character line recommendation.
    static let bytesPerWord = 39

    /// `text` as one or more `=?UTF-8?B?…?=` words, each cut on a UTF-8 character boundary, joined by
    /// CRLF + space (folding whitespace, which decoders drop between encoded-words).
    static func encode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var words: [String] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + bytesPerWord, bytes.count)
            // Back off to the start of a UTF-8 sequence so no character is split across words.
            while end < bytes.count, end > start + 1, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            words.append("=?UTF-8?B?" + Data(bytes[start..<end]).base64EncodedString() + "?=")
            start = end
        }
        return words.joined(separator: "\r\n ")
    }

    /// `text` as the value of header `name`: printable ASCII as is, folded at spaces (CRLF inserted before
    /// a space, so unfolding gives back the exact text) to keep lines within 78 characters where words
    /// allow; anything else (non-ASCII, text that looks like an encoded-word, a word too long for the
    /// 998-character line limit) as encoded-words.
    static func headerValue(_ text: String, name: String) -> String {
        guard MailAddress.isPrintableASCII(text), !text.contains("=?"),
              let folded = folded(text, firstLineOffset: name.utf8.count + 2) else { return encode(text) }
        return folded
    }

    /// Printable ASCII folded before spaces at 78 columns; nil when some line would still pass 998.
    static func folded(_ text: String, firstLineOffset: Int) -> String? {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var column = firstLineOffset
        var i = 0
        while i < bytes.count {
            // The next segment: a run of spaces plus the word after it.
            var end = i
            while end < bytes.count, bytes[end] == 0x20 { end += 1 }
            while end < bytes.count, bytes[end] != 0x20 { end += 1 }
            let length = end - i
            if bytes[i] == 0x20, column + length > 78, column > 1 {
                out.append(0x0D)
                out.append(0x0A)
                column = 0
            }
            if column + length > 998 { return nil }
            out.append(contentsOf: bytes[i..<end])
            column += length
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}
