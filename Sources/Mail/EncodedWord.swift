import Foundation

/// RFC 2047 encoded-words for header text that is not plain short ASCII.
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

    /// True when `text` can be written as is after "<name>: " within `limit` characters: printable ASCII
    /// that does not look like an encoded-word.
    static func canWriteVerbatim(_ text: String, nameLength: Int, limit: Int = 78) -> Bool {
        MailAddress.isPrintableASCII(text) && !text.contains("=?") && nameLength + 2 + text.utf8.count <= limit
    }
}
