import XCTest
import Foundation
import TestSupport
@testable import Tsuna

/// Channel limits by role (SPEC section 4), the token-bucket limiter, and the systemd unit.
final class LimitsTests: XCTestCase {
    func testANormalUserWithChannelsMadeWhilePremiumMayStillGoUpToTen() throws {
        // A month of 0.00005 days: the subscription lasts about 4.3 seconds.
        let server = try TestServer(environment: ["TSUNA_MEMBERSHIP_MONTH_DAYS": "0.00005", "TSUNA_EXPIRY_CHECK_SECONDS": "3600"])
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let c = try server.client()
        let plan = try c.json("POST", "/memberships/v1/", ["title": "Gold", "active_months": 1, "is_available": true], token: admin.access)
        let planToken = try XCTUnwrap(plan.object["token"] as? String, plan.text)
        XCTAssertEqual(try c.json("POST", "/memberships/v1/\(planToken)/subscribe/", token: user.access).status, 201)
        for i in 0..<6 {
            XCTAssertEqual(try c.json("POST", "/channels/v1/", ["title": "P\(i)"], token: user.access).status, 201, "premium channel \(i)")
        }
        // Wait (bounded) until the role follows end_date back to normal.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !(try c.json("GET", "/accounts/v1/me/", token: user.access).object["active_subscription"] is NSNull) {
            usleep(200_000)
        }
        XCTAssertTrue(try c.json("GET", "/accounts/v1/me/", token: user.access).object["active_subscription"] is NSNull)
        for i in 6..<10 {
            XCTAssertEqual(try c.json("POST", "/channels/v1/", ["title": "N\(i)"], token: user.access).status, 201, "normal with 6–9: channel \(i)")
        }
        let over = try c.json("POST", "/channels/v1/", ["title": "Eleventh"], token: user.access)
        XCTAssertEqual(over.status, 400)
        XCTAssertEqual(over.object["non_field_errors"] as? [String], ["User has reached the maximum number of channels."])
    }

    func testChannelLimitRule() {
        XCTAssertTrue(ChannelsRoutes.mayCreate(role: .normal, owned: 4))
        XCTAssertFalse(ChannelsRoutes.mayCreate(role: .normal, owned: 5))
        XCTAssertTrue(ChannelsRoutes.mayCreate(role: .normal, owned: 6))
        XCTAssertTrue(ChannelsRoutes.mayCreate(role: .normal, owned: 9))
        XCTAssertFalse(ChannelsRoutes.mayCreate(role: .normal, owned: 10))
        XCTAssertTrue(ChannelsRoutes.mayCreate(role: .premium, owned: 9))
        XCTAssertFalse(ChannelsRoutes.mayCreate(role: .premium, owned: 10))
        XCTAssertTrue(ChannelsRoutes.mayCreate(role: .admin, owned: 1000))
    }

    func testTokenBucketAllowsABurstThenRefills() {
        let limiter = RateLimiter(rate: ThrottleRate(requests: 2, periodSeconds: 1))
        XCTAssertNil(limiter.acquire("a", now: 100))
        XCTAssertNil(limiter.acquire("a", now: 100))
        XCTAssertEqual(limiter.acquire("a", now: 100), 1)
        XCTAssertNil(limiter.acquire("b", now: 100), "buckets are per key")
        XCTAssertNil(limiter.acquire("a", now: 100.5), "half a second refills one token")
        XCTAssertEqual(limiter.acquire("a", now: 100.5), 1)
        let slow = RateLimiter(rate: ThrottleRate(requests: 1, periodSeconds: 60))
        XCTAssertNil(slow.acquire("x", now: 0))
        XCTAssertEqual(slow.acquire("x", now: 0), 60)
        XCTAssertEqual(slow.acquire("x", now: 30), 30)
    }

    func testLimiterMemoryStaysBoundedHoweverManyClientsCome() {
        let limiter = RateLimiter(rate: ThrottleRate(requests: 5, periodSeconds: 1), maxKeys: 1000)
        for i in 0..<50_000 { _ = limiter.acquire("client-\(i)", now: 1000 + Double(i) / 1_000_000) }
        XCTAssertLessThanOrEqual(limiter.keyCount, 1000)
        // Idle buckets (full again) are dropped by the periodic sweep.
        _ = limiter.acquire("late", now: 5000)
        XCTAssertEqual(limiter.keyCount, 1)
    }

    func testThrottleSyntax() {
        XCTAssertEqual(ThrottleRate.parse("2/second"), .some(ThrottleRate(requests: 2, periodSeconds: 1)))
        XCTAssertEqual(ThrottleRate.parse("10/m"), .some(ThrottleRate(requests: 10, periodSeconds: 60)))
        XCTAssertEqual(ThrottleRate.parse("3/Hour"), .some(ThrottleRate(requests: 3, periodSeconds: 3600)))
        XCTAssertEqual(ThrottleRate.parse("1/d"), .some(ThrottleRate(requests: 1, periodSeconds: 86400)))
        XCTAssertEqual(ThrottleRate.parse("off"), .some(nil))
        XCTAssertEqual(ThrottleRate.parse("0/second"), nil as ThrottleRate??)
        XCTAssertEqual(ThrottleRate.parse("two/second"), nil as ThrottleRate??)
        XCTAssertEqual(ThrottleRate.parse("5/week"), nil as ThrottleRate??)
    }

    func testTheSystemdUnitVerifies() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not installed here")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: root.appendingPathComponent("systemd/tsuna.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/local/bin/tsuna serve"))
        XCTAssertTrue(unit.contains("KillSignal=SIGTERM"))
        for hardening in ["DynamicUser=yes", "StateDirectory=tsuna", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes"] {
            XCTAssertTrue(unit.contains(hardening), hardening)
        }
        // Verify a copy that points at the freshly built binary.
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let copy = dir + "/tsuna.service"
        try unit.replacingOccurrences(of: "/usr/local/bin/tsuna", with: TestServer.binaryPath).write(toFile: copy, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = ["verify", copy]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        p.waitUntilExit()
        let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, output)
    }
}
