/// Serialises a response's status line and header fields, with the fields the server owns:
/// `Date`, `X-Request-Id`, `Content-Length` and `Connection`.
enum ResponseHead {
    /// Appends the head of `response` to `out`. `date` is a ready "Date: …\r\n" line.
    static func append(_ response: Response, requestId: String, date: [UInt8], keepAlive: Bool,
                       versionMinor: Int, to out: inout [UInt8]) {
        out.append(contentsOf: StatusText.statusLine(response.status))
        out.append(contentsOf: date)
        out.append(contentsOf: requestIdName)
        out.append(contentsOf: requestId.utf8)
        out.append(contentsOf: crlf)
        for (name, value) in response.headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: colonSpace)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: crlf)
        }
        if hasBody(response.status) {
            out.append(contentsOf: contentLengthName)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: crlf)
        }
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if versionMinor == 0 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(contentsOf: crlf)
    }

    /// 1xx, 204 and 304 responses have neither a body nor a `Content-Length`.
    static func hasBody(_ status: Int) -> Bool {
        !(status == 204 || status == 304 || status < 200)
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value, n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; n += 1 }
            while n > 0 { n -= 1; out.append(d[n]) }
        }
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let colonSpace: [UInt8] = [58, 32]
    private static let requestIdName = Array("X-Request-Id: ".utf8)
    private static let contentLengthName = Array("Content-Length: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
}
