import XCTest
import Foundation
import TestSupport

/// Client addresses behind a trusted proxy (throttles, the per-address cap, /metrics, the log) and an access
/// log without secrets (SPEC 12; the hostile-clients issue).
final class ProxyAndLogTests: XCTestCase {
    func testForwardedAddressesCountOnlyFromATrustedPeer() throws {
        // The test client connects from 127.0.0.1: trusted here, so X-Forwarded-For names the client.
        let trusted = try TestServer(environment: ["TSUNA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8", "TSUNA_THROTTLE_AUTH": "1/minute"])
        let c = try trusted.client()
        func login(_ forwardedFor: String?) throws -> Int {
            try c.json("POST", "/accounts/v1/login/", ["email": "x@example.com", "password": "wrong-password"],
                       headers: forwardedFor.map { ["X-Forwarded-For": $0] } ?? [:]).status
        }
        XCTAssertEqual(try login("203.0.113.1"), 401)
        XCTAssertEqual(try login("203.0.113.1"), 429, "the same client is throttled")
        XCTAssertEqual(try login("203.0.113.2"), 401, "another client behind the same proxy has its own bucket")
        XCTAssertEqual(try login("203.0.113.2, 10.1.2.3"), 429, "the right-most untrusted entry is the client")
        let metrics = try c.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"])
        XCTAssertEqual(metrics.status, 404, "a remote client behind the proxy does not see /metrics without the token")
        XCTAssertEqual(try c.request("GET", "/metrics").status, 200, "loopback does")
        XCTAssertTrue(trusted.log.contains(" 203.0.113.1 "), "the log names the forwarded client")

        // Not trusted: the header is ignored, every request counts against the peer.
        let plain = try TestServer(environment: ["TSUNA_THROTTLE_AUTH": "1/minute"])
        let p = try plain.client()
        XCTAssertEqual(try p.json("POST", "/accounts/v1/login/", ["email": "x@example.com", "password": "wrong-password"],
                                  headers: ["X-Forwarded-For": "203.0.113.1"]).status, 401)
        XCTAssertEqual(try p.json("POST", "/accounts/v1/login/", ["email": "x@example.com", "password": "wrong-password"],
                                  headers: ["X-Forwarded-For": "203.0.113.2"]).status, 429, "a client cannot pick its bucket")
        XCTAssertEqual(try p.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"]).status, 200)
    }

    func testMetricsTokenAndBadProxyListAndThePerAddressCap() throws {
        let server = try TestServer(environment: ["TSUNA_TRUSTED_PROXIES": "127.0.0.1", "TSUNA_METRICS_TOKEN": "a-long-metrics-token-123"])
        let c = try server.client()
        let remote = ["X-Forwarded-For": "198.51.100.7"]
        XCTAssertEqual(try c.request("GET", "/metrics", headers: remote).status, 404)
        XCTAssertEqual(try c.request("GET", "/metrics", headers: remote.merging(["Authorization": "Bearer nope"]) { $1 }).status, 404)
        XCTAssertEqual(try c.request("GET", "/metrics", headers: remote.merging(["Authorization": "Bearer a-long-metrics-token-123"]) { $1 }).status, 200)
        // Per client address (a trusted proxy's own connections carry many clients and are not capped by peer).
        let capped = try TestServer(environment: ["TSUNA_MAX_CONNECTIONS_PER_IP": "3"])
        let three = try (0..<3).map { _ in try capped.client() }
        for m in three { XCTAssertEqual(try m.request("GET", "/healthz").status, 200) }
        let fourth = try capped.client()
        XCTAssertEqual(try fourth.request("GET", "/healthz").status, 503)

        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var env = ProcessInfo.processInfo.environment
        env["TSUNA_DATA_DIR"] = dir
        env["TSUNA_PORT"] = "0"
        env["TSUNA_TRUSTED_PROXIES"] = "10.0.0.0/33"
        let bad = try TestServer.run(["serve"], environment: env, timeout: 20)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("TSUNA_TRUSTED_PROXIES"), bad.err)
    }

    func testTheAccessLogHoldsNoSecret() throws {
        let f = try ContentFixture()
        let c = f.c
        var secrets: [String] = [f.owner.access, f.owner.refresh]
        // A verification link (the owner's was used by the fixture) and a reset link, used.
        let ada = try f.server.makeUser("ada@example.com")
        secrets += [ada.access, ada.refresh]
        let verify = try XCTUnwrap(f.server.mails().first { $0.to.contains("ada@example.com") }?.link)
        secrets.append(verify.split(separator: "/").dropLast().last.map(String.init) ?? "")
        XCTAssertEqual(try c.json("POST", "/accounts/v1/password/reset/", ["email": ada.email]).status, 202)
        let reset = try XCTUnwrap(f.server.waitForMail(to: ada.email, subject: "Reset your Tsuna Streaming password")?.link)
        let resetToken = reset.split(separator: "/").last.map(String.init) ?? ""
        secrets.append(resetToken)
        let resetPath = try XCTUnwrap(URL(string: reset)?.path) + "/"
        XCTAssertEqual(try c.json("GET", resetPath).status, 200)
        XCTAssertEqual(try c.json("POST", resetPath, ["new_password": "a-new-password-1"]).status, 200)
        // A private item's signed media URL.
        let item = try f.item(published: false)
        let detail = try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: f.owner.access)
        let file = try XCTUnwrap(URLComponents(string: detail.object["file"] as? String ?? ""))
        let signature = try XCTUnwrap(file.queryItems?.first { $0.name == "signature" }?.value)
        secrets.append(signature)
        XCTAssertEqual(try c.request("GET", file.path + "?" + (file.query ?? "")).status, 200)

        let log = f.server.log
        XCTAssertTrue(log.contains("/accounts/v1/password/reset/…/"), "the path pattern is logged with the secret replaced")
        XCTAssertTrue(log.contains(" " + ada.token + " ") || log.contains(" \(f.owner.token) "), "the acting user is named")
        for secret in secrets where secret.count >= 16 {
            XCTAssertFalse(log.contains(secret), "the log contains a secret: \(secret.prefix(12))…")
        }
    }
}
