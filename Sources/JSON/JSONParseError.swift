/// Why a document was rejected, worded like Python's json module (which the original service used).
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Human text, e.g. "Expecting ',' delimiter: line 1 column 10 (char 9)".
    public let message: String
    /// Byte offset of the offending input.
    public let offset: Int

    /// An error with the given message and byte offset.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

/// The parser's cheap internal error: a reason and a byte offset, turned into text only at the end.
struct JSONSyntaxFailure: Error {
    enum Reason {
        case expectingValue, expectingPropertyName, expectingColon, expectingComma
        case unterminatedString, invalidControlCharacter, invalidEscape, invalidUnicodeEscape
        case unpairedSurrogate, invalidUTF8, extraData, depthExceeded, unexpectedBOM
        case nan, infinity, negativeInfinity
        // Only the streaming reader reports these: the caller asked for one type and found another.
        case expectingObject, expectingString, expectingNumber, numberOutOfRange
    }

    let reason: Reason
    let offset: Int

    init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// The public error, positioned like Python: line, column and char count code points, not bytes.
    func publicError(in document: UnsafeBufferPointer<UInt8>) -> JSONParseError {
        let text: String
        switch reason {
        case .expectingValue: text = "Expecting value"
        case .expectingPropertyName: text = "Expecting property name enclosed in double quotes"
        case .expectingColon: text = "Expecting ':' delimiter"
        case .expectingComma: text = "Expecting ',' delimiter"
        case .unterminatedString: text = "Unterminated string starting at"
        case .invalidControlCharacter: text = "Invalid control character at"
        case .invalidEscape: text = "Invalid \\escape"
        case .invalidUnicodeEscape: text = "Invalid \\uXXXX escape"
        case .unpairedSurrogate: text = "Unpaired surrogate in \\uXXXX escape"
        case .invalidUTF8: text = "Invalid UTF-8 sequence at"
        case .extraData: text = "Extra data"
        case .depthExceeded: text = "Maximum nesting depth exceeded"
        case .unexpectedBOM: text = "Unexpected UTF-8 BOM (decode using utf-8-sig)"
        case .expectingObject: text = "Expecting object"
        case .expectingString: text = "Expecting string"
        case .expectingNumber: text = "Expecting number"
        case .numberOutOfRange: text = "Number out of range"
        // What Django REST framework's strict parser says; Python reports no position for these.
        case .nan: return JSONParseError(message: "Out of range float values are not JSON compliant: 'NaN'", offset: offset)
        case .infinity:
            return JSONParseError(message: "Out of range float values are not JSON compliant: 'Infinity'", offset: offset)
        case .negativeInfinity:
            return JSONParseError(message: "Out of range float values are not JSON compliant: '-Infinity'", offset: offset)
        }
        let position = Self.position(of: offset, in: document)
        return JSONParseError(
            message: "\(text): line \(position.line) column \(position.column) (char \(position.char))",
            offset: offset)
    }

    /// Line (1-based), column (1-based) and char (0-based) of a byte offset, in code points.
    /// The bytes before an error offset are always valid UTF-8, so counting lead bytes counts code points.
    static func position(of offset: Int, in document: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int, char: Int) {
        let limit = min(max(offset, 0), document.count)
        var line = 1
        var char = 0
        var charAfterLastNewline = 0
        for index in 0..<limit {
            let byte = document[index]
            if byte & 0xC0 == 0x80 { continue }
            char += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                charAfterLastNewline = char
            }
        }
        return (line, char - charAfterLastNewline + 1, char)
    }
}
