import XCTest
import Foundation
import TestSupport

/// The panel in a real browser: starts the server (mail pointed at a closed SMTP port, so it fails), prepares
/// accounts, a channel, an item and a comment through the API, then runs Tests/Browser/admin_panel.py (Selenium
/// driving headless Chromium). Missing tools fail the test with what to install; `bash .ci/run` installs them.
final class AdminBrowserTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/admin_panel.py").path

    private func missingTools() -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        func has(_ tool: String) -> Bool { paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") } }
        var missing: [String] = []
        if !has("chromium") && !has("chromium-browser") { missing.append("chromium (apt-get install chromium)") }
        if !has("chromedriver") { missing.append("chromedriver (apt-get install chromium-driver)") }
        if (try? run(["python3", "-c", "import selenium"]).status) != 0 { missing.append("selenium (python3 -m pip install selenium)") }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    private func run(_ arguments: [String], timeout: Double = 10) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Registers through the API and activates in the database (mail cannot be delivered here), then logs in.
    private func activeUser(_ server: TestServer, _ email: String, first: String, last: String = "") throws -> TestUser {
        let r = try server.client().json("POST", "/accounts/v1/register/", ["email": email, "password": "pass-word-9",
                                                                           "first_name": first, "last_name": last])
        guard r.status == 201, let token = r.object["token"] as? String else { throw TestFailure("register: \(r.text)") }
        try PanelDatabase(server).run("UPDATE users SET is_active = 1 WHERE token = '\(token)'")
        return try server.login(email, "pass-word-9", token: token)
    }

    func testAnAdministratorUsesThePanelInABrowser() throws {
        if let missing = missingTools() {
            XCTFail("browser tests need \(missing); bash .ci/run installs them")
            return
        }
        let server = try TestServer(environment: ["TSUNA_SMTP_URL": "smtp://127.0.0.1:\(closedPort())"])
        let admin = try server.makeAdmin("root@example.com")
        let user = try activeUser(server, "plain@example.com", first: "Plain")
        let victim = try activeUser(server, "victim@example.com", first: "Vic", last: "Tim")
        let bystander = try activeUser(server, "bystander@example.com", first: "By", last: "Stander")
        let evilName = "<script>alert(1)</script>"
        let evil = try activeUser(server, "evil@example.com", first: evilName)
        let owner = try activeUser(server, "owner@example.com", first: "Olga", last: "Owner")
        let c = try server.client()
        let channel = try c.json("POST", "/channels/v1/", ["title": "Mountain views"], token: owner.access)
        let channelToken = try XCTUnwrap(channel.object["token"] as? String, channel.text)
        let (type, body) = ContentFixture.multipart(["title": "Summit", "description": "Up there", "visibility": "pu"],
                                                    files: [("file", "a.mp4", ContentFixture.mp4)])
        let upload = try c.request("POST", "/videos/v1/\(channelToken)/", headers: ["Authorization": "Bearer \(owner.access)", "Content-Type": type], body: body)
        let item = try XCTUnwrap(upload.object["token"] as? String, upload.text)
        let commentBody = "Cheap sunglasses at spam dot example"
        let comment = try c.json("POST", "/comments/v1/video/\(item)/", ["body": commentBody], token: evil.access)
        let commentToken = try XCTUnwrap(comment.object["token"] as? String, comment.text)
        // The verification mail of a new account fails once (nothing listens on the SMTP port) before the script runs.
        XCTAssertEqual(try c.json("POST", "/accounts/v1/register/", ["email": "mail@example.com", "password": "pass-word-9",
                                                                    "first_name": "Mail"]).status, 201)
        let db = PanelDatabase(server)
        let deadline = Date().addingTimeInterval(20)
        while try db.int("SELECT attempts FROM outbox WHERE recipient = 'mail@example.com'") < 1 && Date() < deadline { usleep(50_000) }

        let fixture: [String: String] = [
            "admin_email": admin.email, "admin_password": admin.password,
            "user_email": user.email, "user_password": user.password,
            "victim_email": victim.email, "victim_access": victim.access,
            "bystander_token": bystander.token, "bystander_access": bystander.access,
            "channel": channelToken, "channel_title": "Mountain views", "owner_access": owner.access,
            "item": item, "comment": commentToken, "comment_body": commentBody, "comment_words": "sunglasses spam",
            "mail_recipient": "mail@example.com", "evil_name": evilName, "evil_email": evil.email,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: fixture), as: UTF8.self)
        let result = try run(["python3", AdminBrowserTests.script, "--base", "http://127.0.0.1:\(server.port)", "--fixture", json],
                             timeout: 180)
        XCTAssertEqual(result.status, 0, "admin_panel.py failed:\n\(result.output)\nserver log:\n\(server.log.suffix(3000))")
        print(result.output)
    }
}
