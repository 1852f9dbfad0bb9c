import XCTest
import Foundation
import Store
import TestSupport

/// A running server as the owner of the channel sees it.
struct OwnerSession {
    let c: RawClient
    let access: String
    let dataDirectory: String

    init(_ server: TestServer, owner: TestUser) throws {
        c = try server.client()
        access = owner.access
        dataDirectory = server.dataDirectory
    }

    func scalar(_ sql: String) throws -> Int {
        let db = try Connection(path: dataDirectory + "/tsuna.sqlite", readOnly: true)
        defer { db.close() }
        return try db.queryOne(sql) { $0.int(0) } ?? -1
    }
}

/// SPEC 1 and 10: the subscribers, votes and viewers lists come from the write-behind caches; following their
/// `next` and `previous` links (which carry a position key) visits exactly the pages that offsets give, with
/// writes pending (a flush interval longer than the test) and after they were flushed, including a pending
/// delete and a pending replacement in the middle of a page.
final class WriteBehindListTests: XCTestCase {
    static let limit = 4

    /// Rows of every page following `next` from page 1, then of every page following `previous` back; each
    /// row is its user token (and choice, for votes).
    func walk(_ f: OwnerSession, _ list: String, file: StaticString = #filePath,
              line: UInt = #line) throws -> (forward: [[String]], backward: [[String]]) {
        var forward: [[String]] = [], backward: [[String]] = []
        var url: String? = list + "?limit=\(Self.limit)"
        var last: [String: Any] = [:]
        while let next = url, forward.count < 50 {
            let r = try f.c.json("GET", path(next), token: f.access)
            XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
            last = r.object
            forward.append(rows(last))
            url = last["next"] as? String
            if let url { XCTAssertTrue(url.contains("cursor=a"), url, file: file, line: line) }
        }
        url = last["previous"] as? String
        while let previous = url, backward.count < 50 {
            let r = try f.c.json("GET", path(previous), token: f.access)
            backward.insert(rows(r.object), at: 0)
            url = r.object["previous"] as? String
        }
        return (forward, backward)
    }

    /// Rows of every page by bare offsets.
    func offsetPages(_ f: OwnerSession, _ list: String, count: Int) throws -> [[String]] {
        try stride(from: 0, to: count, by: Self.limit).map { offset in
            rows(try f.c.json("GET", list + "?limit=\(Self.limit)&offset=\(offset)", token: f.access).object)
        }
    }

    func rows(_ page: [String: Any]) -> [String] {
        (page["results"] as? [[String: Any]] ?? []).map { row in
            (row["user_token"] as? String ?? "?") + ((row["choice"] as? String).map { ":" + $0 } ?? "")
        }
    }

    func path(_ url: String) -> String {
        guard let u = URLComponents(string: url) else { return url }
        return u.path + (u.query.map { "?" + $0 } ?? "")
    }

    /// Walks each list both ways and by offsets; returns its rows.
    func assertLinksMatchOffsets(_ f: OwnerSession, _ list: String, _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let count = try XCTUnwrap(f.c.json("GET", list, token: f.access).object["count"] as? Int, file: file, line: line)
        let (forward, backward) = try walk(f, list, file: file, line: line)
        let byOffset = try offsetPages(f, list, count: count)
        XCTAssertEqual(forward, byOffset, "\(label): next links and offsets", file: file, line: line)
        XCTAssertEqual(backward, Array(forward.dropLast()), "\(label): previous links lead back", file: file, line: line)
        XCTAssertEqual(forward.joined().count, count, "\(label): count", file: file, line: line)
        // The position key wins over the offset: page 2's `next` cursor with offset 4 reads page 3.
        if forward.count >= 3 {
            let two = try f.c.json("GET", list + "?limit=\(Self.limit)&offset=\(Self.limit)", token: f.access).object
            let next = try XCTUnwrap(two["next"] as? String, file: file, line: line)
            let cursor = try XCTUnwrap(URLComponents(string: next)?.queryItems?.first { $0.name == "cursor" }?.value,
                                       file: file, line: line)
            let three = try f.c.json("GET", list + "?limit=\(Self.limit)&offset=\(Self.limit)&cursor=\(cursor)", token: f.access)
            XCTAssertEqual(rows(three.object), forward[2], "\(label): by position", file: file, line: line)
        }
        return Array(forward.joined())
    }

    func testLinksWalkPendingAndFlushedEntriesAsOffsetsDo() throws {
        let f = try ContentFixture(environment: ["TSUNA_FLUSH_INTERVAL_SECONDS": "3600"])
        let item = try f.item()
        let subscribers = "/channel_subscribers/v1/\(f.channel)/list/"
        let votes = "/votes/v1/video/\(item)/list/"
        let viewers = "/viewers/v1/video/\(item)/list/"
        var users: [TestUser] = []
        for i in 0..<11 { users.append(try f.server.makeUser("fan\(i)@example.com", firstName: "Fan \(i)")) }
        /// Subscribes, votes (down for some) and views.
        func act(_ u: TestUser, _ c: RawClient) throws {
            XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: u.access).status, 201)
            XCTAssertEqual(try c.json("POST", "/votes/v1/video/\(item)/create/", ["choice": u.email.hasPrefix("fan1") ? "d" : "u"],
                                      token: u.access).status, 201)
            XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: u.access).status, 200)
        }
        for u in users { try act(u, f.c) }
        func tokens(_ rows: [String]) -> [String] { rows.map { String($0.prefix { $0 != ":" }) }.filter { $0 != f.owner.token } }

        // Everything pending.
        let first = try OwnerSession(f.server, owner: f.owner)
        XCTAssertEqual(try first.scalar("SELECT count(*) FROM votes"), 0, "nothing flushed yet")
        for list in [subscribers, votes, viewers] {
            XCTAssertEqual(tokens(try assertLinksMatchOffsets(first, list, "pending \(list)")), users.map(\.token))
        }

        // Flushed by a graceful restart, then pending writes over the stored rows: a delete and a replacement
        // (unsubscribe or unvote, then again: the row moves to the end) in the middle of page 2, new rows.
        XCTAssertEqual(f.server.stop(), 0)
        let again = try TestServer(environment: f.server.environment, dataDirectory: f.server.dataDirectory)
        let restarted = try OwnerSession(again, owner: f.owner)
        XCTAssertEqual(try restarted.scalar("SELECT count(*) FROM votes"), users.count, "flushed at shutdown")
        for list in [subscribers, votes, viewers] {
            XCTAssertEqual(tokens(try assertLinksMatchOffsets(restarted, list, "flushed \(list)")), users.map(\.token))
        }
        let c = restarted.c
        XCTAssertEqual(try c.json("DELETE", "/channel_subscribers/v1/\(f.channel)/delete/", token: users[5].access).status, 204)
        XCTAssertEqual(try c.json("DELETE", "/votes/v1/video/\(item)/delete/", token: users[5].access).status, 204)
        XCTAssertEqual(try c.json("DELETE", "/channel_subscribers/v1/\(f.channel)/delete/", token: users[6].access).status, 204)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: users[6].access).status, 201)
        XCTAssertEqual(try c.json("DELETE", "/votes/v1/video/\(item)/delete/", token: users[6].access).status, 204)
        XCTAssertEqual(try c.json("POST", "/votes/v1/video/\(item)/create/", ["choice": "d"], token: users[6].access).status, 201)
        var late: [TestUser] = []
        for i in 0..<2 { late.append(try again.makeUser("late\(i)@example.com", firstName: "Late \(i)")) }
        for u in late { try act(u, c) }
        XCTAssertEqual(try restarted.scalar("SELECT count(*) FROM votes"), users.count, "still pending")

        let kept = users.enumerated().filter { $0.offset != 5 && $0.offset != 6 }.map(\.element.token)
        let subscriberRows = try assertLinksMatchOffsets(restarted, subscribers, "pending over stored subscribers")
        XCTAssertEqual(tokens(subscriberRows), kept + [users[6].token] + late.map(\.token))
        let voteRows = try assertLinksMatchOffsets(restarted, votes, "pending over stored votes")
        XCTAssertEqual(tokens(voteRows), kept + [users[6].token] + late.map(\.token))
        XCTAssertEqual(voteRows.first { $0.hasPrefix(users[6].token) }, users[6].token + ":d", "the replacement's choice")
        let viewerRows = try assertLinksMatchOffsets(restarted, viewers, "pending over stored viewers")
        XCTAssertEqual(tokens(viewerRows), users.map(\.token) + late.map(\.token))
    }
}
