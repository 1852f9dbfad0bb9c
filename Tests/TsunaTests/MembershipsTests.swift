import Platform
import XCTest
import Foundation
import TestSupport
import Store
@testable import Tsuna

/// SPEC section 3 over a real socket against the real binary.
final class MembershipsTests: XCTestCase {
    static let base = "/memberships/v1/"
    static let planKeys: Set<String> = ["title", "description", "price", "active_months", "is_available", "token"]

    func createPlan(_ c: RawClient, _ admin: TestUser, _ fields: [String: Any]) throws -> [String: Any] {
        let r = try c.json("POST", Self.base, fields, token: admin.access)
        guard r.status == 201 else { throw TestFailure("create plan failed: \(r.status) \(r.text)") }
        return r.object
    }

    func token(_ plan: [String: Any]) throws -> String { try XCTUnwrap(plan["token"] as? String) }

    /// `2026-11-24T17:51:00.123456Z` → µs since the epoch; nil for anything else.
    func micros(_ s: String) -> Int64? {
        guard s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#, options: .regularExpression) != nil else { return nil }
        let n = s.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard n.count == 7 else { return nil }
        var t = tm()
        t.tm_year = Int32(n[0] - 1900); t.tm_mon = Int32(n[1] - 1); t.tm_mday = Int32(n[2])
        t.tm_hour = Int32(n[3]); t.tm_min = Int32(n[4]); t.tm_sec = Int32(n[5])
        return Int64(timegm(&t)) * 1_000_000 + Int64(n[6])
    }

    /// The parsed body equals `expected` (a JSON object written as text), whatever the spacing.
    func assertJSON(_ r: RawResponse, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let want = try? JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        XCTAssertNotNil(want, "bad expectation", file: file, line: line)
        XCTAssertEqual(r.json as? NSDictionary, want, r.text, file: file, line: line)
    }

    /// Waits (bounded) for a mail to `address` with `subject`.
    func waitForMail(_ server: TestServer, to address: String, subject: String) -> ReceivedMail? {
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let m = server.mails().first(where: { $0.to.contains(address) && $0.subject == subject }) { return m }
            if Date() > deadline { return nil }
            usleep(20_000)
        }
    }

    func subscriptionCount(_ server: TestServer) throws -> Int {
        let db = try Connection(path: server.dataDirectory + "/tsuna.sqlite")
        defer { db.close() }
        return try db.queryOne("SELECT count(*) FROM subscriptions") { $0.int(0) } ?? -1
    }

    // MARK: authentication

    func testEveryRouteNeedsAuthentication() throws {
        let server = try TestServer()
        let c = try server.client()
        let plan = "\(Self.base)\(UUID().uuidString.lowercased())/"
        let routes = [("GET", Self.base), ("POST", Self.base), ("GET", plan), ("PUT", plan), ("PATCH", plan),
                      ("DELETE", plan), ("POST", plan + "subscribe/")]
        for (method, path) in routes {
            let anonymous = try c.json(method, path, method == "GET" || method == "DELETE" ? nil : ["title": "x"])
            XCTAssertEqual(anonymous.status, 401, "\(method) \(path)")
            assertJSON(anonymous, #"{"detail": "Authentication credentials were not provided."}"#)
            XCTAssertEqual(anonymous.header("WWW-Authenticate"), "Bearer realm=\"api\"")
            let junk = try c.json(method, path, token: "junk")
            XCTAssertEqual(junk.status, 401, "\(method) \(path)")
            XCTAssertEqual(junk.object["code"] as? String, "token_not_valid")
        }
        XCTAssertEqual(try c.request("PUT", Self.base).status, 405)
    }

    // MARK: plans

    func testCreateIsForAdminsWithDefaultsAndExactShape() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let c = try server.client()
        let r = try c.json("POST", Self.base, ["title": "Gold", "active_months": 3, "token": "ignored"], token: admin.access)
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(Set(r.object.keys), Self.planKeys)
        XCTAssertEqual(r.object["title"] as? String, "Gold")
        XCTAssertEqual(r.object["description"] as? String, "No Description available")
        XCTAssertEqual(r.object["price"] as? Int, 10)
        XCTAssertEqual(r.object["active_months"] as? Int, 3)
        XCTAssertEqual(r.object["is_available"] as? Bool, false)
        let token = try token(r.object)
        XCTAssertNotEqual(token, "ignored")
        XCTAssertNotNil(UUID(uuidString: token))

        let full = try c.json("POST", Self.base, ["title": "  Platinum  ", "description": "All of it", "price": "1000",
                                                  "active_months": 24, "is_available": "yes"], token: admin.access)
        XCTAssertEqual(full.status, 201, full.text)
        XCTAssertEqual(full.object["title"] as? String, "Platinum")
        XCTAssertEqual(full.object["price"] as? Int, 1000)
        XCTAssertEqual(full.object["is_available"] as? Bool, true)

        let form = try c.request("POST", Self.base, headers: ["Authorization": "Bearer \(admin.access)",
                                                             "Content-Type": "application/x-www-form-urlencoded"],
                                 body: Array("title=Form+plan&active_months=1&is_available=on&price=10".utf8))
        XCTAssertEqual(form.status, 201, form.text)
        XCTAssertEqual(form.object["is_available"] as? Bool, true)

        // Permission comes before validation: a normal user's invalid body is still a 403.
        for body: [String: Any] in [["title": "Mine", "active_months": 1], [:]] {
            let denied = try c.json("POST", Self.base, body, token: user.access)
            XCTAssertEqual(denied.status, 403)
            assertJSON(denied, #"{"detail": "Only admins can perform this action"}"#)
        }
        XCTAssertEqual(try c.json("GET", Self.base, token: admin.access).object["count"] as? Int, 3)
    }

    func testCreateValidationMessages() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let c = try server.client()
        func errors(_ body: [String: Any]) throws -> [String: Any] {
            let r = try c.json("POST", Self.base, body, token: admin.access)
            XCTAssertEqual(r.status, 400, r.text)
            return r.object
        }
        let missing = try errors(["description": "no title"])
        XCTAssertEqual(missing["title"] as? [String], ["This field is required."])
        XCTAssertEqual(missing["active_months"] as? [String], ["This field is required."])
        XCTAssertEqual(Set(missing.keys), ["title", "active_months"])

        let low = try errors(["title": "", "active_months": 0, "price": 5])
        XCTAssertEqual(low["title"] as? [String], ["This field may not be blank."])
        XCTAssertEqual(low["active_months"] as? [String], ["Ensure this value is greater than or equal to 1."])
        XCTAssertEqual(low["price"] as? [String], ["Ensure this value is greater than or equal to 10."])

        let high = try errors(["title": String(repeating: "t", count: 211), "active_months": 25, "price": 1001,
                               "description": String(repeating: "d", count: 401)])
        XCTAssertEqual(high["title"] as? [String], ["Ensure this field has no more than 210 characters."])
        XCTAssertEqual(high["active_months"] as? [String], ["Ensure this value is less than or equal to 24."])
        XCTAssertEqual(high["price"] as? [String], ["Ensure this value is less than or equal to 1000."])
        XCTAssertEqual(high["description"] as? [String], ["Ensure this field has no more than 400 characters."])

        let types = try errors(["title": "T", "active_months": "two", "price": 12.5, "is_available": "maybe"])
        XCTAssertEqual(types["active_months"] as? [String], ["A valid integer is required."])
        XCTAssertEqual(types["price"] as? [String], ["A valid integer is required."])
        XCTAssertEqual(types["is_available"] as? [String], ["Must be a valid boolean."])

        let atLimits = try c.json("POST", Self.base, ["title": String(repeating: "t", count: 210), "active_months": 24,
                                                      "price": 10, "description": String(repeating: "d", count: 400)],
                                  token: admin.access)
        XCTAssertEqual(atLimits.status, 201, atLimits.text)

        let broken = try c.request("POST", Self.base, headers: ["Authorization": "Bearer \(admin.access)",
                                                               "Content-Type": "application/json"], body: Array("{".utf8))
        XCTAssertEqual(broken.status, 400)
        XCTAssertTrue((broken.object["detail"] as? String ?? "").hasPrefix("JSON parse error - "), broken.text)
        XCTAssertEqual(try c.json("GET", Self.base, token: admin.access).object["count"] as? Int, 1, "nothing invalid was stored")
    }

    func testListIsPaginatedOldestFirst() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let c = try server.client()
        let empty = try c.json("GET", Self.base, token: user.access)
        XCTAssertEqual(empty.status, 200)
        assertJSON(empty, #"{"count": 0, "next": null, "previous": null, "results": []}"#)
        for i in 1...5 { _ = try createPlan(c, admin, ["title": "Plan \(i)", "active_months": i]) }

        let all = try c.json("GET", Self.base, token: user.access)
        XCTAssertEqual(all.object["count"] as? Int, 5)
        XCTAssertTrue(all.object["next"] is NSNull)
        let results = try XCTUnwrap(all.object["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["title"] as? String }, ["Plan 1", "Plan 2", "Plan 3", "Plan 4", "Plan 5"])
        XCTAssertEqual(Set(results[0].keys), Self.planKeys)

        let root = "http://127.0.0.1:\(server.port)\(Self.base)"
        let first = try c.json("GET", Self.base + "?limit=2", token: user.access)
        XCTAssertEqual(first.object["count"] as? Int, 5)
        XCTAssertEqual(first.object["next"] as? String, root + "?limit=2&offset=2")
        XCTAssertTrue(first.object["previous"] is NSNull)
        XCTAssertEqual((first.object["results"] as? [[String: Any]])?.map { $0["title"] as? String }, ["Plan 1", "Plan 2"])

        let middle = try c.json("GET", Self.base + "?limit=2&offset=2", token: user.access)
        XCTAssertEqual(middle.object["next"] as? String, root + "?limit=2&offset=4")
        XCTAssertEqual(middle.object["previous"] as? String, root + "?limit=2")
        XCTAssertEqual((middle.object["results"] as? [[String: Any]])?.map { $0["title"] as? String }, ["Plan 3", "Plan 4"])

        let last = try c.json("GET", "/memberships/v1?limit=2&offset=4", token: user.access)
        XCTAssertTrue(last.object["next"] is NSNull)
        XCTAssertEqual(last.object["previous"] as? String, "http://127.0.0.1:\(server.port)/memberships/v1?limit=2&offset=2")
        XCTAssertEqual((last.object["results"] as? [[String: Any]])?.map { $0["title"] as? String }, ["Plan 5"])

        let beyond = try c.json("GET", Self.base + "?limit=2&offset=50", token: user.access)
        XCTAssertEqual(beyond.object["count"] as? Int, 5)
        XCTAssertEqual((beyond.object["results"] as? [Any])?.count, 0)
        let junk = try c.json("GET", Self.base + "?limit=-3&offset=abc", token: user.access)
        XCTAssertEqual((junk.object["results"] as? [Any])?.count, 5, "bad values fall back to the defaults")
    }

    func testDetailUpdateAndDelete() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let c = try server.client()
        let plan = try createPlan(c, admin, ["title": "Silver", "description": "Some", "price": 20, "active_months": 2])
        let planToken = try token(plan)
        let path = Self.base + planToken + "/"

        let detail = try c.json("GET", path, token: user.access)
        XCTAssertEqual(detail.status, 200)
        assertJSON(detail, #"{"title": "Silver", "description": "Some", "price": 20, "active_months": 2, "is_available": false, "token": "\#(planToken)"}"#)
        XCTAssertEqual(try c.json("GET", String(path.dropLast()), token: user.access).text, detail.text)
        XCTAssertEqual(try c.json("GET", path.uppercased().replacingOccurrences(of: "/MEMBERSHIPS/V1/", with: Self.base),
                                  token: user.access).status, 200, "tokens compare case-insensitively")
        let unknown = "\(Self.base)\(UUID().uuidString.lowercased())/"
        for missing in [unknown, Self.base + "not-a-uuid/"] {
            let r = try c.json("GET", missing, token: user.access)
            XCTAssertEqual(r.status, 404)
            assertJSON(r, #"{"detail": "Not found."}"#)
            // The object's existence is checked before permission: a normal user gets 404, not 403.
            XCTAssertEqual(try c.json("PATCH", missing, ["price": 30], token: user.access).status, 404)
            XCTAssertEqual(try c.json("DELETE", missing, token: user.access).status, 404)
        }

        for method in ["PUT", "PATCH"] {
            let denied = try c.json(method, path, ["title": "Mine", "active_months": 1], token: user.access)
            XCTAssertEqual(denied.status, 403)
            assertJSON(denied, #"{"detail": "Only admins can perform this action"}"#)
        }

        let putMissing = try c.json("PUT", path, ["title": "Silver+"], token: admin.access)
        XCTAssertEqual(putMissing.status, 400)
        assertJSON(putMissing, #"{"active_months": ["This field is required."]}"#)

        let patched = try c.json("PATCH", path, ["price": 30, "token": "nope"], token: admin.access)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.object["price"] as? Int, 30)
        XCTAssertEqual(patched.object["title"] as? String, "Silver")
        XCTAssertEqual(patched.object["description"] as? String, "Some")
        XCTAssertEqual(patched.object["active_months"] as? Int, 2)
        XCTAssertEqual(patched.object["token"] as? String, planToken)
        let badPatch = try c.json("PATCH", path, ["price": 5000, "is_available": "perhaps"], token: admin.access)
        XCTAssertEqual(badPatch.status, 400)
        XCTAssertEqual(badPatch.object["price"] as? [String], ["Ensure this value is less than or equal to 1000."])
        XCTAssertEqual(badPatch.object["is_available"] as? [String], ["Must be a valid boolean."])

        let put = try c.json("PUT", path, ["title": "Silver II", "active_months": 6, "is_available": true], token: admin.access)
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.object["title"] as? String, "Silver II")
        XCTAssertEqual(put.object["active_months"] as? Int, 6)
        XCTAssertEqual(put.object["is_available"] as? Bool, true)
        XCTAssertEqual(put.object["price"] as? Int, 30, "PUT keeps optional fields it was not sent")
        XCTAssertEqual(try c.json("GET", path, token: user.access).text, put.text)

        let denied = try c.json("DELETE", path, token: user.access)
        XCTAssertEqual(denied.status, 403)
        assertJSON(denied, #"{"detail": "Only admins can perform this action"}"#)
        let deleted = try c.json("DELETE", path, token: admin.access)
        XCTAssertEqual(deleted.status, 204)
        XCTAssertEqual(deleted.body, [])
        XCTAssertEqual(try c.json("GET", path, token: admin.access).status, 404)
        XCTAssertEqual(try c.json("DELETE", path, token: admin.access).status, 404)
    }

    // MARK: subscribing

    func testSubscribeMakesTheUserPremium() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let ada = try server.makeUser("ada@example.com", firstName: "Ada")
        let bob = try server.makeUser("bob@example.com", firstName: "Bob")
        let c = try server.client()
        let gold = try createPlan(c, admin, ["title": "Gold", "active_months": 2, "is_available": true])
        let closed = try createPlan(c, admin, ["title": "Closed", "active_months": 1])
        let goldPath = Self.base + (try token(gold)) + "/"

        // Warm the user cache first: subscribing must show on the very next request.
        XCTAssertTrue(try c.json("GET", "/accounts/v1/me/", token: ada.access).object["active_subscription"] is NSNull)
        let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let r = try c.json("POST", goldPath + "subscribe/", token: ada.access)
        let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(Set(r.object.keys), ["membership", "start_date", "end_date", "token"])
        XCTAssertEqual(r.object["membership"] as? String, "Gold")
        XCTAssertNotNil(UUID(uuidString: r.object["token"] as? String ?? ""))
        let start = try XCTUnwrap(micros(r.object["start_date"] as? String ?? ""), r.text)
        let end = try XCTUnwrap(micros(r.object["end_date"] as? String ?? ""), r.text)
        XCTAssertEqual(end - start, 2 * 30 * 86_400 * 1_000_000, "end = start + active_months × 30 days")
        XCTAssertTrue((before - 1_000_000)...(after + 1_000_000) ~= start, "start is the moment of subscribing")

        let me = try c.json("GET", "/accounts/v1/me/", token: ada.access)
        let active = try XCTUnwrap(me.object["active_subscription"] as? [String: Any], me.text)
        XCTAssertEqual(active["membership"] as? String, "Gold")
        XCTAssertEqual(active["start_date"] as? String, r.object["start_date"] as? String)
        XCTAssertEqual(active["end_date"] as? String, r.object["end_date"] as? String)
        let seen = try c.json("GET", "/accounts/v1/\(ada.token)/", token: bob.access)
        XCTAssertEqual((seen.object["active_subscription"] as? [String: Any])?["membership"] as? String, "Gold")

        let mail = try XCTUnwrap(waitForMail(server, to: "ada@example.com", subject: "Your subscription has started!"))
        XCTAssertTrue(mail.body.contains("Gold"), mail.body)

        // Premium now: a second subscription is refused, and so are admins.
        let again = try c.json("POST", goldPath + "subscribe/", token: ada.access)
        XCTAssertEqual(again.status, 403)
        assertJSON(again, #"{"detail": "Only normal users can perform this action"}"#)
        let byAdmin = try c.json("POST", goldPath + "subscribe/", token: admin.access)
        XCTAssertEqual(byAdmin.status, 403)
        assertJSON(byAdmin, #"{"detail": "Only normal users can perform this action"}"#)

        let unavailable = try c.json("POST", Self.base + (try token(closed)) + "/subscribe/", token: bob.access)
        XCTAssertEqual(unavailable.status, 403)
        assertJSON(unavailable, #"{"detail": "Membership is not available to subscribe"}"#)
        for missing in [UUID().uuidString.lowercased(), "not-a-uuid"] {
            let r = try c.json("POST", "\(Self.base)\(missing)/subscribe/", token: bob.access)
            XCTAssertEqual(r.status, 404)
            assertJSON(r, #"{"detail": "Not found."}"#)
            XCTAssertEqual(try c.json("POST", "\(Self.base)\(missing)/subscribe/", token: ada.access).status, 404,
                           "the plan's existence is checked before the role")
        }
        XCTAssertEqual(try subscriptionCount(server), 1)

        let inUse = try c.json("DELETE", goldPath, token: admin.access)
        XCTAssertEqual(inUse.status, 400)
        assertJSON(inUse, #"{"detail": "Plan is in use"}"#)
        XCTAssertEqual(try c.json("GET", goldPath, token: admin.access).status, 200)
        XCTAssertEqual(try c.json("DELETE", Self.base + (try token(closed)) + "/", token: admin.access).status, 204)
        XCTAssertEqual(server.mails().filter { $0.subject == "Your subscription has started!" }.count, 1)
    }

    func testAnEndedSubscriptionIsReplacedBeforeTheJobCleansItUp() throws {
        // Months of 0 days end at once; the expiry job never runs during this test.
        let server = try TestServer(environment: ["TSUNA_MEMBERSHIP_MONTH_DAYS": "0", "TSUNA_EXPIRY_CHECK_SECONDS": "3600"])
        let admin = try server.makeAdmin()
        let user = try server.makeUser("replace@example.com")
        let c = try server.client()
        let plan = try createPlan(c, admin, ["title": "Flash", "active_months": 12, "is_available": true])
        let path = Self.base + (try token(plan)) + "/subscribe/"
        let first = try c.json("POST", path, token: user.access)
        XCTAssertEqual(first.status, 201, first.text)
        XCTAssertEqual(first.object["start_date"] as? String, first.object["end_date"] as? String)
        XCTAssertTrue(try c.json("GET", "/accounts/v1/me/", token: user.access).object["active_subscription"] is NSNull)
        let second = try c.json("POST", path, token: user.access)
        XCTAssertEqual(second.status, 201, second.text)
        XCTAssertNotEqual(second.object["token"] as? String, first.object["token"] as? String)
        let db = try Connection(path: server.dataDirectory + "/tsuna.sqlite")
        defer { db.close() }
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM subscriptions") { $0.int(0) }, 1)
        XCTAssertEqual(try db.queryOne("SELECT token FROM subscriptions") { $0.string(0) }, second.object["token"] as? String)
    }

    func testExpiryJobDeletesEndedSubscriptionsAndMails() throws {
        let server = try TestServer(environment: ["TSUNA_MEMBERSHIP_MONTH_DAYS": "0", "TSUNA_EXPIRY_CHECK_SECONDS": "1"])
        let admin = try server.makeAdmin()
        let user = try server.makeUser("expiry@example.com", firstName: "Eve")
        let c = try server.client()
        let plan = try createPlan(c, admin, ["title": "Brief", "active_months": 1, "is_available": true])
        let path = Self.base + (try token(plan)) + "/subscribe/"
        XCTAssertEqual(try c.json("POST", path, token: user.access).status, 201)

        // Bounded waits (a safety net, not a timing assertion): the row goes, the mail comes.
        let deadline = Date().addingTimeInterval(20)
        var remaining = try subscriptionCount(server)
        while remaining != 0 && Date() < deadline {
            usleep(50_000)
            remaining = try subscriptionCount(server)
        }
        XCTAssertEqual(remaining, 0)
        let mails = server.waitForMails(3)   // verification, started, expired
        XCTAssertEqual(mails.filter { $0.to.contains("expiry@example.com") }.map(\.subject),
                       ["Verify Your Account on Tsuna Streaming", "Your subscription has started!", "Your subscription expired."])
        let expired = try XCTUnwrap(mails.last)
        XCTAssertTrue(expired.body.contains("Brief"), expired.body)
        XCTAssertTrue(server.log.contains("job expire-subscriptions ok"), server.log)
        XCTAssertTrue(server.log.contains(": 1 expired"), server.log)

        // Normal again: the profile shows nothing and the user may subscribe again.
        XCTAssertTrue(try c.json("GET", "/accounts/v1/me/", token: user.access).object["active_subscription"] is NSNull)
        let again = try c.json("POST", path, token: user.access)
        XCTAssertEqual(again.status, 201, again.text)
        XCTAssertEqual(again.object["membership"] as? String, "Brief")
        XCTAssertEqual(server.waitForMails(5).filter { $0.subject == "Your subscription expired." }.count, 2)
    }

    func testConcurrentSubscribesOfOneUserCreateExactlyOne() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let c = try server.client()
        let plan = try createPlan(c, admin, ["title": "Race", "active_months": 1, "is_available": true])
        let path = Self.base + (try token(plan)) + "/subscribe/"
        let (port, access) = (server.port, user.access)
        let statuses = Locked([Int](repeating: 0, count: 4))
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let status = (try? RawClient(port: port).json("POST", path, token: access).status) ?? -1
            statuses.withLock { $0[i] = status }
        }
        XCTAssertEqual(statuses.withLock { $0 }.sorted(), [201, 403, 403, 403])
        XCTAssertEqual(try subscriptionCount(server), 1)
    }

    func testEndDateArithmetic() {
        let day: Int64 = 86_400_000_000
        XCTAssertEqual(MembershipsRules.end(start: 1_000, activeMonths: 3, monthDays: 30), 1_000 + 90 * day)
        XCTAssertEqual(MembershipsRules.end(start: 1_000, activeMonths: 3, monthDays: 0.5), 1_000 + 3 * day / 2)
        XCTAssertEqual(MembershipsRules.end(start: 1_000, activeMonths: 24, monthDays: 0), 1_000)
        // The largest configurable month cannot overflow: the end is capped at the last RFC 3339 instant.
        let capped = MembershipsRules.end(start: 1_000, activeMonths: 24, monthDays: 1e9)
        XCTAssertEqual(capped, MembershipsRules.latestDate)
        XCTAssertEqual(Clock.rfc3339(capped), "9999-12-31T23:59:59.999999Z")
    }
}
