/// The request line of an HTTP/1.x request (RFC 9112 section 3).
enum RequestLine {
    static let maxMethodBytes = 32
    static let maxTargetBytes = 8 * 1024

    /// Parses `method SP request-target SP HTTP-version` from [start, end) (end is the CR) into `head`.
    static func parse(_ view: ByteView, _ start: Int, _ end: Int, into head: inout RequestHead) -> HTTPParseError? {
        // method = token
        var i = start
        while i < end && ByteClass.isTchar(view[i]) { i += 1 }
        let methodEnd = i
        guard methodEnd > start, methodEnd - start <= maxMethodBytes,
              methodEnd < end, view[methodEnd] == ByteClass.space else { return .badRequestLine }

        // request-target: visible ASCII up to the next SP
        let targetStart = methodEnd + 1
        guard let targetEnd = view.find(ByteClass.space, from: targetStart, to: end), targetEnd > targetStart,
              targetEnd - targetStart <= maxTargetBytes,
              view.isVisibleASCII(targetStart, targetEnd) else { return .badRequestLine }

        // HTTP-version = "HTTP/" DIGIT "." DIGIT, and nothing after it. Checked before the target's
        // form so that an HTTP/2 preface ("PRI * HTTP/2.0") is answered 505, not 400.
        let v = targetEnd + 1
        guard end - v == 8, view.equals(v, v + 5, "HTTP/"), view[v + 6] == 0x2E,
              isDigit(view[v + 5]), isDigit(view[v + 7]) else { return .badRequestLine }
        guard view[v + 5] == 0x31, view[v + 7] == 0x30 || view[v + 7] == 0x31 else { return .badVersion }
        head.versionMinor = Int(view[v + 7] &- 0x30)

        head.method = KnownTokens.method(view, start, methodEnd)
        let isOptions = view.equals(start, methodEnd, "OPTIONS")
        guard let form = TargetForm.locate(view, targetStart, targetEnd, isOptions: isOptions) else {
            return .badRequestLine
        }
        let target = view.string(targetStart, targetEnd)
        head.target = target
        if form.isAsterisk {
            head.rawPath = target
            head.query = nil
            return nil
        }
        guard PercentEncoding.isValid(view, form.pathStart, targetEnd) else { return .badPercentEncoding }

        if form.pathStart == form.pathEnd {
            head.rawPath = "/"
        } else if form.pathStart == targetStart && form.pathEnd == targetEnd {
            head.rawPath = target  // shares the storage: the common origin-form request without a query
        } else {
            head.rawPath = view.string(form.pathStart, form.pathEnd)
        }
        head.query = form.pathEnd < targetEnd ? view.string(form.pathEnd + 1, targetEnd) : nil
        return nil
    }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// Where the path of a request-target lies (RFC 9112 section 3.2).
struct TargetForm {
    /// Start of the path (for absolute-form, just after the authority).
    var pathStart: Int
    /// End of the path: the '?' or the end of the target.
    var pathEnd: Int
    /// True for the asterisk-form "*" of OPTIONS.
    var isAsterisk = false

    /// Classifies [start, end): origin-form, absolute-form (http/https), or "*" for OPTIONS; nil otherwise.
    static func locate(_ view: ByteView, _ start: Int, _ end: Int, isOptions: Bool) -> TargetForm? {
        let first = view[start]
        if first == ByteClass.slash {
            return TargetForm(pathStart: start, pathEnd: view.find(ByteClass.question, from: start, to: end) ?? end)
        }
        if first == 0x2A {  // "*"
            guard end - start == 1, isOptions else { return nil }
            return TargetForm(pathStart: start, pathEnd: end, isAsterisk: true)
        }
        // absolute-form: scheme "://" authority path-abempty [ "?" query ]
        var i: Int
        if view.equalsIgnoringCase(start, min(start + 7, end), "http://") {
            i = start + 7
        } else if view.equalsIgnoringCase(start, min(start + 8, end), "https://") {
            i = start + 8
        } else {
            return nil
        }
        let authorityStart = i
        while i < end {
            let b = view[i]
            if b == ByteClass.slash || b == ByteClass.question { break }
            if b == 0x40 { return nil }  // userinfo ("@") is not allowed in http(s) targets (RFC 9110 4.2.4)
            i += 1
        }
        guard i > authorityStart else { return nil }
        let pathEnd = view.find(ByteClass.question, from: i, to: end) ?? end
        return TargetForm(pathStart: i, pathEnd: pathEnd)
    }
}
