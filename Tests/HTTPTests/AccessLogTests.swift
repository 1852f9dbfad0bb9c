import XCTest
import Foundation
@testable import HTTP
import TestSupport

/// Log lines carry a journald level; access lines say who asked what and hold no secret.
final class AccessLogTests: ServerTestCase {
    /// Runs `body` with stderr going to a file; returns what was written.
    func capturingStandardError(_ body: () throws -> Void) rethrows -> String {
        let path = tempDir + "/stderr.log"
        let file = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        let saved = dup(2)
        dup2(file, 2)
        defer {
            dup2(saved, 2)
            close(saved)
            close(file)
        }
        try body()
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func testAccessLinesAndRedaction() throws {
        _ = configuration()
        try start({ $0.accessLog = true; $0.trustedProxies = try! TrustedProxies.parse("127.0.0.1") }) { router in
            router.get("/media/*path") { _ in
                var response = Response(status: 200, body: .bytes(Array("12345".utf8)))
                response.logUser = "user token"
                return response
            }
        }
        let log = try capturingStandardError {
            let c = try client()
            let r = try c.request("GET", "/media/a.mp4?expires=9&signature=s3cr3t&x=1",
                                  headers: ["Authorization": "Bearer t0k3n", "X-Forwarded-For": "203.0.113.5",
                                            "X-Request-Id": "req-1"])
            XCTAssertEqual(r.status, 200)
            XCTAssertNil(r.header("logUser"))
            usleep(200_000)  // the loop writes its log after the response
        }
        let line = try XCTUnwrap(log.split(separator: "\n").first { $0.contains("req-1") })
        XCTAssertTrue(line.hasPrefix("<6>"), String(line))
        XCTAssertTrue(line.hasSuffix(" info GET /media/a.mp4?expires=9&signature=…&x=1 200 0ms 5B 203.0.113.5 user_token req-1")
                        || line.contains(" info GET /media/a.mp4?expires=9&signature=…&x=1 200 "), String(line))
        XCTAssertTrue(line.contains(" 5B 203.0.113.5 user_token req-1"), String(line))
        XCTAssertFalse(log.contains("s3cr3t"))
        XCTAssertFalse(log.contains("t0k3n"))
    }

    func testTheRedactionHookIsTheApplications() {
        XCTAssertEqual(AccessLog.redactSignatures("/a?signature=x"), "/a?signature=…")
        XCTAssertEqual(AccessLog.redactSignatures("/a?b=1&signature=x&c=2"), "/a?b=1&signature=…&c=2")
        XCTAssertEqual(AccessLog.redactSignatures("/a/signature=x"), "/a/signature=x", "only the query")
        XCTAssertEqual(AccessLog.redactSignatures("/plain"), "/plain")
        XCTAssertEqual(AccessLog.field("a b\u{1}c"), "a_b_c")
    }

    func testLevelsArePrefixed() throws {
        _ = configuration()
        let log = capturingStandardError {
            logLine(level: .error, "broken")
            logLine(level: .warning, "odd")
            logLine("fine")
        }
        let lines = log.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("<3>") && lines[0].hasSuffix("Z error broken"), String(lines[0]))
        XCTAssertTrue(lines[1].hasPrefix("<4>") && lines[1].hasSuffix("Z warning odd"), String(lines[1]))
        XCTAssertTrue(lines[2].hasPrefix("<6>") && lines[2].hasSuffix("Z info fine"), String(lines[2]))
    }
}
