import XCTest
import Foundation
import TestSupport
import Store
@testable import Tsuna

/// The binary as an operator meets it: commands, configuration, probes, shutdown.
final class PlatformTests: XCTestCase {
    func baseEnvironment(_ dir: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TSUNA_DATA_DIR"] = dir
        env["TSUNA_PORT"] = "0"
        return env
    }

    func testHealthzRequestIdAndUnknownRoutes() throws {
        let server = try TestServer()
        let c = try server.client()
        let r = try c.request("GET", "/healthz")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.object["status"] as? String, "ok")
        XCTAssertNotNil(UUID(uuidString: r.header("X-Request-Id") ?? ""))
        XCTAssertEqual(try c.request("GET", "/healthz", headers: ["Authorization": "Bearer junk"]).status, 200,
                       "/healthz ignores the Authorization header")
        let missing = try c.request("GET", "/no/such/route/")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.object["detail"] as? String, "Page not found.")
        let wrong = try c.request("DELETE", "/healthz")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.object["detail"] as? String, "Method \"DELETE\" not allowed.")
        XCTAssertNotNil(wrong.header("Allow"))
        let metrics = try c.request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("http_requests_total{route=\"/healthz\""), metrics.text)
        XCTAssertTrue(metrics.text.contains("tsuna_cache_pending_entries{cache=\"subscriptions\"} 0"), metrics.text)
        XCTAssertTrue(metrics.text.contains("tsuna_outbox_depth 0"), metrics.text)
        XCTAssertTrue(metrics.text.contains("http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"}"), metrics.text)
    }

    func testOpenAPIDocumentListsEverySpecEndpointAndDocsAreServed() throws {
        let server = try TestServer()
        let c = try server.client()
        let r = try c.request("GET", "/openapi.json", headers: ["Authorization": "Bearer junk"])
        XCTAssertEqual(r.status, 200)
        let doc = try XCTUnwrap(r.json as? [String: Any])
        XCTAssertTrue((doc["openapi"] as? String ?? "").hasPrefix("3.1"))
        let paths = try XCTUnwrap(doc["paths"] as? [String: [String: Any]])
        let expected: [String: Set<String>] = [
            "/accounts/v1/register/": ["post"], "/accounts/v1/verify/{verification_token}/{user_token}/": ["get"],
            "/accounts/v1/resend/": ["post"], "/accounts/v1/login/": ["post"], "/accounts/v1/token/refresh/": ["post"],
            "/accounts/v1/me/": ["get", "delete"], "/accounts/v1/{user_token}/": ["get", "put", "patch"],
            "/accounts/v1/logout/": ["post"], "/accounts/v1/password/change/": ["post"],
            "/accounts/v1/password/reset/": ["post"], "/accounts/v1/password/reset/{reset_token}/": ["get", "post"],
            "/memberships/v1/": ["get", "post"], "/memberships/v1/{token}/": ["get", "put", "patch", "delete"],
            "/memberships/v1/{token}/subscribe/": ["post"],
            "/channels/v1/": ["get", "post"], "/channels/v1/{channel_token}/": ["get", "put", "patch", "delete"],
            "/channel_subscribers/v1/{channel_token}/": ["get"], "/channel_subscribers/v1/{channel_token}/create/": ["post"],
            "/channel_subscribers/v1/{channel_token}/delete/": ["delete"], "/channel_subscribers/v1/{channel_token}/list/": ["get"],
            "/channel_admins/v1/{channel_token}/": ["get", "post"],
            "/channel_admins/v1/{channel_token}/{admin_token}/": ["get", "put", "patch", "delete"],
            "/videos/v1/{channel_token}/": ["get", "post"], "/musics/v1/{channel_token}/": ["get", "post"],
            "/videos/v1/{channel_token}/{token}/": ["get", "put", "patch", "delete"],
            "/musics/v1/{channel_token}/{token}/": ["get", "put", "patch", "delete"],
            "/votes/v1/{ct}/{object_token}/": ["get"], "/votes/v1/{ct}/{object_token}/create/": ["post"],
            "/votes/v1/{ct}/{object_token}/delete/": ["delete"], "/votes/v1/{ct}/{object_token}/list/": ["get"],
            "/comments/v1/{ct}/{object_token}/": ["get", "post"],
            "/comments/v1/{ct}/{object_token}/{comment_token}/": ["get", "put", "patch", "delete"],
            "/comments/v1/{ct}/{object_token}/{comment_token}/pin/": ["put", "patch"],
            "/viewers/v1/{ct}/{object_token}/list/": ["get"],
            "/healthz": ["get"], "/metrics": ["get"], "/media/{path}": ["get"], "/openapi.json": ["get"],
            "/docs": ["get"], "/": ["get"],
        ]
        XCTAssertTrue(paths.keys.allSatisfy { !$0.hasPrefix("/admin/") }, "the panel is a browser UI, not the API")
        for (path, methods) in expected {
            XCTAssertEqual(Set(paths[path]?.keys.map { $0 } ?? []), methods, path)
        }
        let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any]
        for name in ["Profile", "Plan", "Channel", "ChannelDetail", "ChannelAdmin", "Content", "Comment", "FieldErrors", "Detail"] {
            XCTAssertNotNil(schemas?[name], name)
        }
        let docs = try c.request("GET", "/docs")
        XCTAssertEqual(docs.status, 200)
        XCTAssertTrue(docs.text.contains("/openapi.json"))
        let root = try c.request("GET", "/")
        XCTAssertEqual(root.status, 302)
        XCTAssertEqual(root.header("Location"), "/docs")
    }

    func testFirstStartCreatesTheDataFolderAndASecretKeyReadableOnlyByTheOwner() throws {
        let server = try TestServer()
        let attrs = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/secret.key")
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        for sub in ["media", "snapshots", "mail", "tsuna.sqlite"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: server.dataDirectory + "/" + sub), sub)
        }
        let key = try String(contentsOfFile: server.dataDirectory + "/secret.key", encoding: .utf8)
        XCTAssertGreaterThanOrEqual(key.trimmingCharacters(in: .whitespacesAndNewlines).count, 32)
        // A restart keeps the same secret (tokens stay valid).
        server.stop()
        let again = try TestServer(dataDirectory: server.dataDirectory)
        XCTAssertEqual(try String(contentsOfFile: again.dataDirectory + "/secret.key", encoding: .utf8), key)
    }

    func testBadConfigurationStopsServeWithStatus2NamingTheVariable() throws {
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, value) in [("TSUNA_PORT", "eighty"), ("TSUNA_PORT", "70000"), ("TSUNA_THROTTLE_AUTH", "5/fortnight"),
                              ("TSUNA_FLUSH_INTERVAL_SECONDS", "-1"), ("TSUNA_HOST", "not a host"),
                              ("TSUNA_SMTP_URL", "http://mail"), ("TSUNA_MEMBERSHIP_MONTH_DAYS", "abc"),
                              ("TSUNA_PASSWORD_ITERATIONS", "0"), ("TSUNA_DOMAIN", "ftp://x")] {
            var env = baseEnvironment(dir)
            env[name] = value
            let r = try TestServer.run(["serve"], environment: env)
            XCTAssertEqual(r.status, 2, "\(name)=\(value)")
            XCTAssertTrue(r.err.contains(name), "\(name)=\(value): \(r.err)")
            XCTAssertFalse(r.out.contains("listening"))
        }
    }

    func testCommandLine() throws {
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = baseEnvironment(dir)
        let unknown = try TestServer.run(["frobnicate"], environment: env)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.err.contains("usage: tsuna"))
        let none = try TestServer.run([], environment: env)
        XCTAssertEqual(none.status, 2)
        let version = try TestServer.run(["version"], environment: env)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.out.hasPrefix("tsuna "))
        let help = try TestServer.run(["help"], environment: env)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("TSUNA_DATA_DIR"))
        let migrate = try TestServer.run(["migrate"], environment: env)
        XCTAssertEqual(migrate.status, 0, migrate.err)
        XCTAssertTrue(migrate.out.contains("schema version \(Schema.latestVersion)"))
    }

    func testADatabaseNewerThanTheBinaryIsRefusedUntouched() throws {
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = baseEnvironment(dir)
        XCTAssertEqual(try TestServer.run(["migrate"], environment: env).status, 0)
        let db = dir + "/tsuna.sqlite"
        let c = try Connection(path: db)
        try c.setUserVersion(Schema.latestVersion + 5)
        try c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for command in ["migrate", "serve"] {
            let r = try TestServer.run([command], environment: env)
            XCTAssertEqual(r.status, 1, command)
            XCTAssertTrue(r.err.contains("\(Schema.latestVersion + 5)") && r.err.contains("\(Schema.latestVersion)"), r.err)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before)
    }

    func testSigtermFinishesTheRequestInFlightAndExitsZero() throws {
        let server = try TestServer()
        let c = try server.client()
        // A request whose body is still arriving is in flight.
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
        usleep(100_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(200_000)
        XCTAssertTrue(server.process.isRunning, "waits for the request in flight")
        try c.send("67890")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Connection"), "close")
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
        XCTAssertTrue(server.log.contains("shutting down"))
    }

    func testASecondServerOnTheSameFolderIsRefusedAndTheFirstKeepsItsFiles() throws {
        let server = try TestServer()
        // A spilled upload of the first server: a second start must not clear it.
        let spilled = server.dataDirectory + "/tmp/upload-in-progress"
        XCTAssertTrue(FileManager.default.createFile(atPath: spilled, contents: Data("x".utf8)))
        let second = try TestServer.run(["serve"], environment: server.environment, timeout: 20)
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.err.contains("is in use by tsuna serve (pid \(server.process.processIdentifier))"), second.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: spilled))
        XCTAssertEqual(try server.client().request("GET", "/healthz").status, 200)
        // The lock goes with the process, however it ends.
        server.kill()
        let again = try TestServer(dataDirectory: server.dataDirectory, logPath: server.logPath + ".2")
        XCTAssertEqual(try again.client().request("GET", "/healthz").status, 200)
    }

    func testBackupWhileServing() throws {
        let server = try TestServer()
        _ = try server.makeUser()
        let target = server.dataDirectory + "-backup.tar"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let r = try server.runCommand(["backup", target])
        XCTAssertEqual(r.status, 0, r.err)
        // A plain tar archive: the database unpacks with the system's tar and holds the user.
        let unpacked = try TemporaryDirectory()
        defer { unpacked.remove() }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xf", target, "-C", unpacked.path]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        let c = try Connection(path: unpacked.file("tsuna.sqlite"), readOnly: true)
        defer { c.close() }
        XCTAssertEqual(try c.queryOne("SELECT count(*) FROM users") { $0.int(0) }, 1)
    }
}
