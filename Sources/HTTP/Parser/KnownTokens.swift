/// Common methods and header names, returned as string literals when the bytes match exactly (same
/// case). A literal costs no allocation or validation, and most requests use only these.
enum KnownTokens {
    /// The method in [from, to) as a String.
    @inline(__always)
    static func method(_ view: ByteView, _ from: Int, _ to: Int) -> String {
        switch to - from {
        case 3:
            if view.equals(from, to, "GET") { return "GET" }
            if view.equals(from, to, "PUT") { return "PUT" }
        case 4:
            if view.equals(from, to, "POST") { return "POST" }
            if view.equals(from, to, "HEAD") { return "HEAD" }
        case 5:
            if view.equals(from, to, "PATCH") { return "PATCH" }
        case 6:
            if view.equals(from, to, "DELETE") { return "DELETE" }
        case 7:
            if view.equals(from, to, "OPTIONS") { return "OPTIONS" }
        default:
            break
        }
        return view.string(from, to)
    }

    /// The header name in [from, to) as a String, spelled as sent.
    @inline(__always)
    static func headerName(_ view: ByteView, _ from: Int, _ to: Int) -> String {
        switch to - from {
        case 4:
            if view.equals(from, to, "Host") { return "Host" }
            if view.equals(from, to, "host") { return "host" }
        case 6:
            if view.equals(from, to, "Accept") { return "Accept" }
            if view.equals(from, to, "Cookie") { return "Cookie" }
            if view.equals(from, to, "Origin") { return "Origin" }
            if view.equals(from, to, "Expect") { return "Expect" }
        case 7:
            if view.equals(from, to, "Referer") { return "Referer" }
        case 10:
            if view.equals(from, to, "User-Agent") { return "User-Agent" }
            if view.equals(from, to, "Connection") { return "Connection" }
        case 12:
            if view.equals(from, to, "Content-Type") { return "Content-Type" }
        case 13:
            if view.equals(from, to, "Authorization") { return "Authorization" }
            if view.equals(from, to, "Cache-Control") { return "Cache-Control" }
            if view.equals(from, to, "If-None-Match") { return "If-None-Match" }
        case 14:
            if view.equals(from, to, "Content-Length") { return "Content-Length" }
        case 15:
            if view.equals(from, to, "Accept-Encoding") { return "Accept-Encoding" }
            if view.equals(from, to, "Accept-Language") { return "Accept-Language" }
            if view.equals(from, to, "X-Forwarded-For") { return "X-Forwarded-For" }
        case 17:
            if view.equals(from, to, "Transfer-Encoding") { return "Transfer-Encoding" }
        default:
            break
        }
        return view.string(from, to)
    }
}
