import XCTest
import Foundation
import TestSupport

/// `/openapi.json`, `tsuna openapi` and `/docs` (SPEC 12, "API docs" and "docs offline").
final class OpenAPIDocumentTests: XCTestCase {
    private func document(_ server: TestServer) throws -> [String: Any] {
        let r = try server.client().request("GET", "/openapi.json")
        XCTAssertEqual(r.status, 200)
        return try XCTUnwrap(r.json as? [String: Any])
    }

    private func operations(_ doc: [String: Any]) -> [(path: String, method: String, op: [String: Any])] {
        let paths = doc["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, item in
            item.compactMap { method, op in (op as? [String: Any]).map { (path, method, $0) } }
        }
    }

    func testTheCommandPrintsTheServedDocumentAndItValidates() throws {
        let server = try TestServer()
        let printed = try server.runCommand(["openapi"])
        XCTAssertEqual(printed.status, 0, printed.err)
        let served = try server.client().request("GET", "/openapi.json")
        XCTAssertEqual(printed.out.trimmingCharacters(in: .newlines), served.text, "tsuna openapi prints what the server serves")
        let file = server.dataDirectory + ".openapi.json"
        try printed.out.write(toFile: file, atomically: true, encoding: .utf8)
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["python3", "-m", "openapi_spec_validator", file]
        let out = Pipe()
        validator.standardOutput = out
        validator.standardError = out
        try validator.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        XCTAssertEqual(validator.terminationStatus, 0, "openapi-spec-validator (python3 -m pip install openapi-spec-validator): \(text)")
    }

    func testSecurityIsDeclaredOnSignedInRoutesOnly() throws {
        let server = try TestServer()
        let doc = try document(server)
        let anonymous: Set<String> = [
            "post /accounts/v1/register/", "get /accounts/v1/verify/{verification_token}/{user_token}/",
            "post /accounts/v1/resend/", "post /accounts/v1/login/", "post /accounts/v1/token/refresh/",
            "post /accounts/v1/password/reset/", "get /accounts/v1/password/reset/{reset_token}/",
            "post /accounts/v1/password/reset/{reset_token}/",
        ]
        for (path, method, op) in operations(doc) {
            let key = "\(method) \(path)"
            let open = anonymous.contains(key) || !path.contains("/v1/")
            XCTAssertEqual(op["security"] == nil, open, key)
            let responses = op["responses"] as? [String: Any] ?? [:]
            if path.contains("/v1/") { XCTAssertNotNil(responses["401"], key) }
            XCTAssertNil(responses["default"], "\(key): every status is spelled out")
        }
    }

    func testBodiesCarryTheirFieldsLimitsAndEncodings() throws {
        let server = try TestServer()
        let doc = try document(server)
        let paths = try XCTUnwrap(doc["paths"] as? [String: [String: [String: Any]]])
        func body(_ path: String, _ method: String, _ type: String = "application/json") -> [String: Any] {
            let content = (paths[path]?[method]?["requestBody"] as? [String: Any])?["content"] as? [String: Any]
            return ((content?[type] as? [String: Any])?["schema"] as? [String: Any]) ?? [:]
        }
        func property(_ schema: [String: Any], _ name: String) -> [String: Any] {
            (schema["properties"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        let register = body("/accounts/v1/register/", "post", "multipart/form-data")
        XCTAssertEqual(Set(register["required"] as? [String] ?? []), ["email", "password", "first_name"])
        XCTAssertEqual(property(register, "email")["maxLength"] as? Int, 200)
        XCTAssertEqual(property(register, "first_name")["maxLength"] as? Int, 50)
        XCTAssertEqual(property(register, "bio")["default"] as? String, "Hey there, i am using tsuna streaming.")
        XCTAssertEqual(property(register, "picture")["format"] as? String, "binary")
        XCTAssertNil(property(body("/accounts/v1/register/", "post"), "picture")["type"], "files only in multipart")
        let plan = body("/memberships/v1/", "post", "application/x-www-form-urlencoded")
        XCTAssertEqual(property(plan, "price")["minimum"] as? Int, 10)
        XCTAssertEqual(property(plan, "price")["maximum"] as? Int, 1000)
        XCTAssertEqual(property(plan, "active_months")["maximum"] as? Int, 24)
        XCTAssertEqual(property(body("/votes/v1/{ct}/{object_token}/create/", "post"), "choice")["enum"] as? [String], ["u", "d"])
        let video = body("/videos/v1/{channel_token}/", "post", "multipart/form-data")
        XCTAssertEqual(property(video, "visibility")["enum"] as? [String], ["pr", "pu"])
        XCTAssertEqual(Set(video["required"] as? [String] ?? []), ["title", "description", "file"])
        for type in ["application/json", "application/x-www-form-urlencoded"] {
            XCTAssertTrue(body("/videos/v1/{channel_token}/", "post", type).isEmpty, "an upload's create is multipart only (\(type))")
            XCTAssertTrue(body("/musics/v1/{channel_token}/", "post", type).isEmpty, "an upload's create is multipart only (\(type))")
        }
        XCTAssertFalse(body("/videos/v1/{channel_token}/{token}/", "patch").isEmpty, "an update without a file may be JSON")
        XCTAssertNil(body("/videos/v1/{channel_token}/{token}/", "patch")["required"], "PATCH requires nothing")
        XCTAssertEqual(body("/videos/v1/{channel_token}/{token}/", "put")["required"] as? [String], ["title", "description"])
        let permissions = property(body("/channel_admins/v1/{channel_token}/{admin_token}/", "patch"), "permissions")
        XCTAssertEqual((permissions["properties"] as? [String: Any])?.count, 5)
    }

    func testResponsesHaveTheirStatusesAndContentTypes() throws {
        let server = try TestServer()
        let doc = try document(server)
        let paths = try XCTUnwrap(doc["paths"] as? [String: [String: [String: Any]]])
        func statuses(_ path: String, _ method: String) -> Set<String> {
            Set((paths[path]?[method]?["responses"] as? [String: Any])?.keys.map { $0 } ?? [])
        }
        XCTAssertTrue(statuses("/channels/v1/", "post").isSuperset(of: ["201", "400", "401", "413", "415", "503"]))
        XCTAssertTrue(statuses("/channels/v1/{channel_token}/", "delete").isSuperset(of: ["204", "401", "403", "404"]))
        XCTAssertTrue(statuses("/accounts/v1/password/reset/", "post").isSuperset(of: ["202", "400", "403"]))
        XCTAssertTrue(statuses("/videos/v1/{channel_token}/", "get").contains("429"), "videos are throttled")
        XCTAssertFalse(statuses("/musics/v1/{channel_token}/", "get").contains("429"), "musics are not")
        XCTAssertEqual(statuses("/", "get"), ["302", "503"])
        let verify = (paths["/accounts/v1/verify/{verification_token}/{user_token}/"]?["get"]?["responses"] as? [String: [String: Any]])?["200"]
        XCTAssertEqual(Set((verify?["content"] as? [String: Any])?.keys.map { $0 } ?? []), ["application/json", "text/html"])
        let media = (paths["/media/{path}"]?["get"]?["responses"] as? [String: [String: Any]])?["200"]?["content"] as? [String: Any]
        XCTAssertNotNil(media?["video/mp4"])
        XCTAssertNil(media?["application/json"])
        let metrics = (paths["/metrics"]?["get"]?["responses"] as? [String: [String: Any]])?["200"]?["content"] as? [String: Any]
        XCTAssertEqual(metrics?.keys.first, "text/plain")
        let list = (paths["/channels/v1/"]?["get"]?["parameters"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        XCTAssertEqual(list, ["limit", "offset", "cursor", "title"])
    }

    func testTheReferenceIsServedFromTheDocumentWithNothingFromAnotherHost() throws {
        let server = try TestServer()
        let c = try server.client()
        let doc = try document(server)
        let page = try c.request("GET", "/docs")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.header("Content-Type")?.hasPrefix("text/html") ?? false)
        XCTAssertEqual(page.header("Content-Security-Policy"),
                       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        for (path, method, op) in operations(doc) {
            XCTAssertTrue(page.text.contains("id=\"\(op["operationId"] as? String ?? "-")\""), "\(method) \(path)")
        }
        XCTAssertTrue(page.text.contains("Only admins can perform this action"), "403 messages are shown")
        XCTAssertFalse(page.text.contains("src=\"http"), "no script from another host")
        XCTAssertFalse(page.text.contains("href=\"http"), "no stylesheet or link to another host")
        for asset in ["/docs/docs.css", "/docs/docs.js"] {
            let r = try c.request("GET", asset)
            XCTAssertEqual(r.status, 200, asset)
            XCTAssertTrue(page.text.contains(asset), asset)
        }
        let root = try c.request("GET", "/")
        XCTAssertEqual(root.status, 302)
        XCTAssertEqual(root.header("Location"), "/docs")
    }
}
