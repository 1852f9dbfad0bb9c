import XCTest
import Foundation
import TestSupport
import Store

/// A browser-like client of the administration panel over one real connection: it keeps the panel's cookies
/// and the CSRF token of the last page it loaded, and posts url-encoded forms as a browser does.
final class PanelClient {
    let server: TestServer
    let c: RawClient
    private(set) var cookies: [String: String] = [:]
    /// The token in the last page's forms.
    private(set) var csrf: String?

    init(_ server: TestServer) throws {
        self.server = server
        c = try server.client()
    }

    /// A client signed in as `admin` (the dashboard loaded).
    static func signedIn(_ server: TestServer, _ admin: TestUser) throws -> PanelClient {
        let panel = try PanelClient(server)
        let r = try panel.signIn(admin.email, admin.password)
        guard r.status == 303, panel.cookies["tsuna_admin"] != nil else { throw TestFailure("sign-in failed: \(r.status) \(r.text)") }
        try panel.get("/admin/")
        return panel
    }

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    func get(_ path: String, headers: [String: String] = [:]) throws -> RawResponse {
        try send("GET", path, headers: headers, body: nil)
    }

    /// POSTs the fields as a form; the last page's CSRF token is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: Bool = true, headers: [String: String] = [:]) throws -> RawResponse {
        var all = fields
        if csrf, let token = self.csrf { all.append(("csrf", token)) }
        var h = headers
        h["Content-Type"] = h["Content-Type"] ?? "application/x-www-form-urlencoded"
        return try send("POST", path, headers: h, body: Array(PanelClient.encode(all).utf8))
    }

    /// Loads the sign-in form and posts the credentials with its token.
    @discardableResult
    func signIn(_ email: String, _ password: String) throws -> RawResponse {
        try get("/admin/")
        return try post("/admin/sign-in/", [("email", email), ("password", password)])
    }

    func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]?) throws -> RawResponse {
        var h = headers
        if !cookies.isEmpty && h["Cookie"] == nil { h["Cookie"] = cookieHeader }
        let r = try c.request(method, path, headers: h, body: body)
        for (name, value) in r.headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0]), v = pair.count > 1 ? String(pair[1]) : ""
            if value.contains("Max-Age=0") { cookies[key] = nil } else { cookies[key] = v }
        }
        if let token = PanelClient.csrfToken(in: r.text) { csrf = token }
        return r
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="[^"]+""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}

/// The server's database, opened beside it: to read what the panel changed and to age what time would age.
struct PanelDatabase {
    let path: String
    init(_ server: TestServer) { path = server.dataDirectory + "/tsuna.sqlite" }

    func int(_ sql: String) throws -> Int {
        let db = try Connection(path: path, readOnly: true)
        defer { db.close() }
        return try db.queryOne(sql) { $0.int(0) } ?? -1
    }

    func string(_ sql: String) throws -> String? {
        let db = try Connection(path: path, readOnly: true)
        defer { db.close() }
        return try db.queryOne(sql) { $0.optionalString(0) } ?? nil
    }

    func run(_ sql: String) throws {
        let db = try Connection(path: path)
        defer { db.close() }
        try db.execute(sql)
    }
}

extension RawResponse {
    /// The page's text content without tags (to look for escaped text as a reader sees it).
    var pageText: String {
        var t = text.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            t = t.replacingOccurrences(of: entity, with: char)
        }
        return t
    }
}

/// A TCP port nothing listens on (bound, read, closed).
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
