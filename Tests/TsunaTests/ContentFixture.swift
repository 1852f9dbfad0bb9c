import XCTest
import Foundation
import TestSupport
import Store

/// A server with a channel owned by `owner`, and helpers to upload items and read the database (contents,
/// votes, viewers and comments tests share it).
final class ContentFixture {
    static let mp4: [UInt8] = [0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6F, 0x6D,
                               0x00, 0x00, 0x02, 0x00, 0x69, 0x73, 0x6F, 0x6D, 0x69, 0x73, 0x6F, 0x32] +
                              [UInt8](repeating: 7, count: 2000)
    static let mp3: [UInt8] = Array("ID3".utf8) + [0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A] + [UInt8](repeating: 9, count: 1000)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 100)

    let server: TestServer
    let owner: TestUser
    let c: RawClient
    let channel: String

    init(environment: [String: String] = [:]) throws {
        var env = ["TSUNA_FLUSH_INTERVAL_SECONDS": "1", "TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS": "0", "TSUNA_THROTTLE_VIDEO": "off"]
        for (k, v) in environment { env[k] = v }
        server = try TestServer(environment: env)
        owner = try server.makeUser("owner@example.com", firstName: "Olga", lastName: "Owner")
        c = try server.client()
        let r = try c.json("POST", "/channels/v1/", ["title": "Nature"], token: owner.access)
        guard r.status == 201, let token = r.object["token"] as? String else { throw TestFailure("channel: \(r.text)") }
        channel = token
    }

    /// A multipart/form-data body with plain fields and files.
    static func multipart(_ fields: [String: String], files: [(name: String, filename: String, bytes: [UInt8])])
        -> (contentType: String, body: [UInt8]) {
        let boundary = "B0und\(UUID().uuidString.prefix(8))"
        var body: [UInt8] = []
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        for f in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"; filename=\"\(f.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += f.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// POST `/<folder>/v1/<channel>/` as multipart.
    func upload(_ folder: String = "videos", as user: TestUser? = nil, fields: [String: String] = [:],
                file: [UInt8]? = ContentFixture.mp4, filename: String = "clip.mp4",
                thumbnail: [UInt8]? = nil) throws -> RawResponse {
        var f = ["title": "Clip", "description": "A short clip"]
        for (k, v) in fields { f[k] = v }
        var files: [(name: String, filename: String, bytes: [UInt8])] = []
        if let file { files.append(("file", filename, file)) }
        if let thumbnail { files.append(("thumbnail", "t.png", thumbnail)) }
        let (type, body) = ContentFixture.multipart(f, files: files)
        return try c.request("POST", "/\(folder)/v1/\(channel)/", headers: [
            "Authorization": "Bearer \((user ?? owner).access)", "Content-Type": type], body: body)
    }

    /// Uploads an item and returns its token.
    func item(_ folder: String = "videos", published: Bool = true, fields: [String: String] = [:]) throws -> String {
        var f = fields
        f["visibility"] = published ? "pu" : "pr"
        let r = try upload(folder, fields: f, file: folder == "videos" ? ContentFixture.mp4 : ContentFixture.mp3,
                           filename: folder == "videos" ? "a.mp4" : "a.mp3")
        guard r.status == 201, let token = r.object["token"] as? String else { throw TestFailure("upload: \(r.status) \(r.text)") }
        return token
    }

    /// A user who subscribed and was promoted to admin of the channel with `permissions`.
    func makeAdmin(_ email: String, permissions: [String: Bool]) throws -> TestUser {
        let user = try server.makeUser(email, firstName: "Adam", lastName: "Admin")
        let s = try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: user.access)
        guard s.status == 201 else { throw TestFailure("subscribe: \(s.text)") }
        let p = try c.json("POST", "/channel_admins/v1/\(channel)/", ["user": user.token], token: owner.access)
        guard p.status == 201, let adminToken = p.object["token"] as? String else { throw TestFailure("promote: \(p.text)") }
        if !permissions.isEmpty {
            let u = try c.json("PATCH", "/channel_admins/v1/\(channel)/\(adminToken)/", ["permissions": permissions], token: owner.access)
            guard u.status == 200 else { throw TestFailure("permissions: \(u.text)") }
        }
        return user
    }

    /// The number the query returns from the server's database (read-only connection).
    func scalar(_ sql: String) throws -> Int {
        let db = try Connection(path: server.dataDirectory + "/tsuna.sqlite", readOnly: true)
        defer { db.close() }
        return try db.queryOne(sql) { $0.int(0) } ?? -1
    }

    /// Waits (bounded) until the query returns `expected` (e.g. after a cache flush).
    func waitFor(_ sql: String, _ expected: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var n = -1
        if try eventually(every: 0.1, { n = try scalar(sql); return n == expected }) { return }
        XCTFail("\(sql) = \(n), expected \(expected)", file: file, line: line)
    }

    func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/" + folder)) ?? [])
            .filter { !$0.hasPrefix(".") }
    }
}

extension RawResponse {
    var detail: String? { object["detail"] as? String }
    func messages(_ field: String) -> [String]? { object[field] as? [String] }
}
