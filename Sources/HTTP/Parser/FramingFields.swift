/// The header fields that decide message framing and connection handling, gathered while the head is
/// parsed (RFC 9112 sections 6 and 9). Strict where leniency would allow request smuggling.
struct FramingFields {
    var contentLength: Int?
    var isChunked = false
    var sawHost = false
    var connectionClose = false
    var connectionKeepAlive = false
    var expectContinue = false

    /// Content-Length values longer than this are rejected (fits an Int without overflow).
    static let maxContentLengthDigits = 18

    /// Takes note of one field; returns an error when its value breaks a framing rule.
    mutating func observe(_ view: ByteView, name: Range<Int>, value: Range<Int>) -> HTTPParseError? {
        let (n0, n1) = (name.lowerBound, name.upperBound)
        switch n1 - n0 {
        case 4 where view.equalsIgnoringCase(n0, n1, "host"):
            if sawHost { return .badHeader }
            sawHost = true
        case 6 where view.equalsIgnoringCase(n0, n1, "expect"):
            if view.equalsIgnoringCase(value.lowerBound, value.upperBound, "100-continue") { expectContinue = true }
        case 10 where view.equalsIgnoringCase(n0, n1, "connection"):
            observeConnection(view, value)
        case 14 where view.equalsIgnoringCase(n0, n1, "content-length"):
            return observeContentLength(view, value)
        case 17 where view.equalsIgnoringCase(n0, n1, "transfer-encoding"):
            // Only a single "chunked" is supported; any other coding, list or repetition is refused.
            if isChunked || !view.equalsIgnoringCase(value.lowerBound, value.upperBound, "chunked") {
                return .unsupportedTransferEncoding
            }
            isChunked = true
        default:
            break
        }
        return nil
    }

    /// The error for framing that is only wrong in combination, once every field is seen.
    func finalCheck(versionMinor: Int) -> HTTPParseError? {
        if isChunked && (contentLength != nil || versionMinor == 0) { return .conflictingFraming }
        // RFC 9112 3.2: an HTTP/1.1 request without Host is refused; HTTP/1.0 never required one.
        if versionMinor >= 1 && !sawHost { return .missingHost }
        return nil
    }

    /// Whether the connection stays open: HTTP/1.1 unless "close"; HTTP/1.0 only with "keep-alive".
    func keepAlive(versionMinor: Int) -> Bool {
        if connectionClose { return false }
        return versionMinor >= 1 || connectionKeepAlive
    }

    /// Content-Length = 1*DIGIT; a list or repetition is accepted only when every value is equal.
    private mutating func observeContentLength(_ view: ByteView, _ value: Range<Int>) -> HTTPParseError? {
        var i = value.lowerBound
        let end = value.upperBound
        while true {
            while i < end && ByteClass.isOWS(view[i]) { i += 1 }
            var number = 0
            let digitsStart = i
            while i < end, view[i] >= 0x30, view[i] <= 0x39 {
                guard i - digitsStart < Self.maxContentLengthDigits else { return .badContentLength }
                number = number * 10 + Int(view[i] &- 0x30)
                i += 1
            }
            guard i > digitsStart else { return .badContentLength }
            if let previous = contentLength, previous != number { return .badContentLength }
            contentLength = number
            while i < end && ByteClass.isOWS(view[i]) { i += 1 }
            if i == end { return nil }
            guard view[i] == ByteClass.comma else { return .badContentLength }
            i += 1
        }
    }

    /// Connection = #token; only "close" and "keep-alive" matter here.
    private mutating func observeConnection(_ view: ByteView, _ value: Range<Int>) {
        var i = value.lowerBound
        let end = value.upperBound
        while i < end {
            while i < end && (ByteClass.isOWS(view[i]) || view[i] == ByteClass.comma) { i += 1 }
            let tokenStart = i
            while i < end && view[i] != ByteClass.comma && !ByteClass.isOWS(view[i]) { i += 1 }
            if view.equalsIgnoringCase(tokenStart, i, "close") { connectionClose = true }
            else if view.equalsIgnoringCase(tokenStart, i, "keep-alive") { connectionKeepAlive = true }
        }
    }
}
