import FoundationEssentials
import Platform
import HTTP
import Security

/// A refusal the panel shows as a page: the status and a sentence for the administrator.
struct PanelError: Error, Sendable {
    let status: Int
    let message: String
    var retryAfter: Int?

    init(_ status: Int, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    static let notFound = PanelError(404, "Nothing here: the address is wrong, or what it showed was deleted.")
    static func badRequest(_ message: String) -> PanelError { PanelError(400, message) }
    static func forbidden(_ message: String) -> PanelError { PanelError(403, message) }
    static let badToken = PanelError(403, "This form has expired or did not come from this panel. Nothing was changed: reload the page and try again.")
    static let signedOut = PanelError(403, "You are not signed in (or your session ended). Nothing was changed: sign in again.")
    static let otherSite = PanelError(403, "This request came from another site. Nothing was changed.")
}

/// The fields of a url-encoded form body (the first value of a repeated name wins).
struct PanelForm: Sendable {
    static let maxBytes = 64 * 1024
    private(set) var fields: [String: String] = [:]

    init() {}

    subscript(name: String) -> String? { fields[name] }

    /// A trimmed field, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// A checkbox: present (whatever its value) means ticked.
    func isTicked(_ name: String) -> Bool { fields[name] != nil }

    /// Only `application/x-www-form-urlencoded`, up to 64 KiB, valid UTF-8 and percent-encoding. The body is
    /// read here (the route's limit bounds it; a body too large or too slow is the server's to refuse).
    static func read(_ request: Request) async throws -> PanelForm {
        let body = try await request.body()
        return try PanelForm(request, body)
    }

    private init(_ request: Request, _ body: RequestBody) throws {
        if body.count == 0 { return }
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw PanelError(415, "Forms are sent as application/x-www-form-urlencoded.")
        }
        guard body.count <= PanelForm.maxBytes else { throw PanelError(413, "This form is too large.") }
        guard let text = String(validating: try body.allBytes(), as: UTF8.self),
              let pairs = PercentEncoding.parseForm(Substring(text)) else {
            throw PanelError.badRequest("This form could not be read (malformed encoding).")
        }
        for (k, v) in pairs where fields[k] == nil { fields[k] = v }
    }
}

/// The query string, read strictly: malformed encoding or an oversized value is a 400 page, never ignored.
struct PanelQuery: Sendable {
    static let maxLength = 2048
    static let maxValueLength = 200
    private var items: [String: String] = [:]

    init() {}

    init(_ request: Request) throws(PanelError) {
        guard let raw = request.head.query, !raw.isEmpty else { return }
        guard raw.utf8.count <= PanelQuery.maxLength else { throw .badRequest("The address is too long.") }
        guard let pairs = PercentEncoding.parseForm(Substring(raw)) else {
            throw .badRequest("The address could not be read (malformed encoding).")
        }
        for (k, v) in pairs where items[k] == nil {
            guard v.count <= PanelQuery.maxValueLength else { throw .badRequest("A search or filter value is too long.") }
            items[k] = v
        }
    }

    /// A trimmed value, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let v = items[name]?.trimmingWhitespace(), !v.isEmpty else { return nil }
        return v
    }

    /// An integer value; present but not an integer is a 400.
    func int64(_ name: String) throws(PanelError) -> Int64? {
        guard let v = text(name) else { return nil }
        guard let n = Int64(v), n >= 0 else { throw .badRequest("“\(name)” must be a whole number.") }
        return n
    }

    /// One of `choices`, else `fallback` when absent; anything else is a 400.
    func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws(PanelError) -> T where T.RawValue == String {
        guard let v = text(name) else { return fallback }
        guard let choice = T(rawValue: v) else { throw .badRequest("“\(v)” is not a choice for “\(name)”.") }
        return choice
    }
}

/// Cookies and the headers every panel response carries.
enum PanelHeaders {
    /// SPEC 13: same origin only, never framed, referrer kept to this site; no sniffing of types.
    static func secure(_ headers: inout HTTPHeaders) {
        headers.replaceOrAdd("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
        headers.replaceOrAdd("X-Frame-Options", "DENY")
        headers.replaceOrAdd("Referrer-Policy", "same-origin")
        headers.replaceOrAdd("X-Content-Type-Options", "nosniff")
        if headers["Cache-Control"] == nil { headers.add("Cache-Control", "no-store") }
    }

    /// The value of cookie `name` sent with the request.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers.values("Cookie") {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingWhitespace() == name {
                    return pair[1].trimmingWhitespace()
                }
            }
        }
        return nil
    }

    /// `Set-Cookie` for a panel cookie: HttpOnly, SameSite=Strict, scoped to /admin, Secure behind https.
    /// `value` nil clears it.
    static func setCookie(_ name: String, _ value: String?, secure: Bool) -> String {
        var parts = ["\(name)=\(value ?? "")", "Path=/admin", "HttpOnly", "SameSite=Strict"]
        if value == nil { parts.append("Max-Age=0") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// True unless the browser says the request came from another site: `Sec-Fetch-Site`, or an `Origin` that is
    /// neither the host the request was sent to nor the configured domain's (a proxy may rewrite `Host`); "null"
    /// never matches. Clients that send neither pass (the CSRF token still guards them).
    static func isSameOrigin(_ request: Request, domain: String) -> Bool {
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin", site != "none" { return false }
        guard let origin = request.headers["Origin"] else { return true }
        guard let sent = authority(origin) else { return false }
        return sent == request.headers["Host"]?.lowercased() || sent == authority(domain)
    }

    /// "host[:port]" of "scheme://host[:port][/…]", lowercased.
    private static func authority(_ url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }.lowercased()
        return host.isEmpty ? nil : host
    }

    /// Two secrets compared in constant time; an empty one never matches.
    static func matches(_ sent: String?, _ expected: String) -> Bool {
        guard let sent, !sent.isEmpty, !expected.isEmpty else { return false }
        return constantTimeEquals(Array(sent.utf8), Array(expected.utf8))
    }
}
