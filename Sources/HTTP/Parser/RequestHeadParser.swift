/// Parses the head (request line and header fields) of an HTTP/1.1 request from raw bytes,
/// incrementally and strictly (RFC 9112). Stateless: the caller keeps the bytes and `scannedUpTo`.
public struct RequestHeadParser: Sendable {
    /// Largest accepted head, leading empty lines and the final CRLF included.
    public let maxHeadBytes: Int
    /// Most header fields accepted in one request.
    public static let maxHeaderFields = 100

    /// A parser that refuses heads longer than `maxHeadBytes` with `.headerTooLarge`.
    public init(maxHeadBytes: Int = 16 * 1024) {
        self.maxHeadBytes = max(0, maxHeadBytes)
    }

    /// `bytes` is everything received so far for this request (starting at the request line; leading
    /// empty lines CRLF before a request line are tolerated and skipped, RFC 9112 2.2). `scannedUpTo` lets
    /// the caller avoid rescanning: pass the value from the previous .incomplete call (start with 0).
    /// On .complete the head is `bytes[0..<headLength]` and what follows is the body or the next request.
    public func parse(_ bytes: UnsafeRawBufferPointer, scannedUpTo: inout Int) -> HeadParseResult {
        guard let view = ByteView(bytes) else { return .incomplete }
        let limit = min(view.count, maxHeadBytes)

        var start = 0
        while start + 1 < limit && view[start] == ByteClass.cr && view[start + 1] == ByteClass.lf { start += 2 }
        if start < limit && view[start] == ByteClass.lf { return .failure(.badRequestLine) }

        // Find the empty line that ends the head, checking that every LF is part of a CRLF. Each check
        // only looks back two bytes, so scanning can resume exactly where the previous call stopped.
        var scan = max(start, min(scannedUpTo, limit))
        var headEnd = -1
        while let lf = view.find(ByteClass.lf, from: scan, to: limit) {
            guard lf > start, view[lf - 1] == ByteClass.cr else {
                let inRequestLine = view.find(ByteClass.lf, from: start, to: lf) == nil
                return .failure(inRequestLine ? .badRequestLine : .badHeader)
            }
            if lf - 2 >= start && view[lf - 2] == ByteClass.lf {
                headEnd = lf + 1
                break
            }
            scan = lf + 1
        }
        guard headEnd > 0 else {
            if view.count >= maxHeadBytes { return .failure(.headerTooLarge) }
            scannedUpTo = limit
            return .incomplete
        }
        scannedUpTo = headEnd
        return Self.parseHead(view, start, headEnd)
    }

    /// Parses a complete head in [start, end), where end is just past the final CRLFCRLF.
    private static func parseHead(_ view: ByteView, _ start: Int, _ end: Int) -> HeadParseResult {
        guard let requestLF = view.find(ByteClass.lf, from: start, to: end), requestLF > start,
              view[requestLF - 1] == ByteClass.cr else { return .failure(.badRequestLine) }
        var head = RequestHead()
        if let error = RequestLine.parse(view, start, requestLF - 1, into: &head) { return .failure(error) }

        var framing = FramingFields()
        head.headers = HTTPHeaders(reservingCapacity: 16)
        var lineStart = requestLF + 1
        let finalCRLF = end - 2
        while lineStart < finalCRLF {
            guard let lf = view.find(ByteClass.lf, from: lineStart, to: end), lf > lineStart,
                  view[lf - 1] == ByteClass.cr else { return .failure(.badHeader) }
            if head.headers.count >= maxHeaderFields { return .failure(.headerTooLarge) }
            if let error = parseField(view, lineStart, lf - 1, into: &head.headers, framing: &framing) {
                return .failure(error)
            }
            lineStart = lf + 1
        }
        if let error = framing.finalCheck(versionMinor: head.versionMinor) { return .failure(error) }
        head.contentLength = framing.contentLength
        head.isChunked = framing.isChunked
        head.keepAlive = framing.keepAlive(versionMinor: head.versionMinor)
        head.expectContinue = framing.expectContinue
        return .complete(head, headLength: end)
    }

    /// Parses `field-name ":" OWS field-value OWS` in [start, end) (end is the CR) and appends it.
    private static func parseField(_ view: ByteView, _ start: Int, _ end: Int,
                                   into headers: inout HTTPHeaders, framing: inout FramingFields) -> HTTPParseError? {
        // A leading SP/HTAB would be obs-fold; the tchar scan rejects it along with any space before ':'.
        var i = start
        while i < end && ByteClass.isTchar(view[i]) { i += 1 }
        let nameEnd = i
        guard nameEnd > start, nameEnd < end, view[nameEnd] == ByteClass.colon else { return .badHeader }

        var valueStart = nameEnd + 1
        while valueStart < end && ByteClass.isOWS(view[valueStart]) { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart && ByteClass.isOWS(view[valueEnd - 1]) { valueEnd -= 1 }
        guard let hasHighBytes = view.fieldValueHasHighBytes(valueStart, valueEnd) else { return .badHeader }
        if let error = framing.observe(view, name: start..<nameEnd, value: valueStart..<valueEnd) { return error }

        let value = hasHighBytes ? decodeObsText(view, valueStart, valueEnd) : view.string(valueStart, valueEnd)
        headers.add(KnownTokens.headerName(view, start, nameEnd), value)
        return nil
    }

    /// A field value with bytes >= 0x80: UTF-8 when valid, otherwise Latin-1 (RFC 9110 obs-text).
    private static func decodeObsText(_ view: ByteView, _ start: Int, _ end: Int) -> String {
        let bytes = UnsafeBufferPointer(start: view.base + start, count: end - start)
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    }
}
