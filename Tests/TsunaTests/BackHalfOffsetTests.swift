import XCTest
import Foundation
import TestSupport

/// Issue 10: an offset in the back half of a list is read from its end, and answers exactly as the forward
/// read does — the same rows in the same order, the same count, the same links and cursors — for every list,
/// with the write-behind lists' writes pending and flushed.
final class BackHalfOffsetTests: XCTestCase {
    func path(_ url: String) -> String {
        guard let u = URLComponents(string: url) else { return url }
        return u.path + (u.query.map { "?" + $0 } ?? "")
    }

    /// Compares the bare offsets n − 1, n − limit, n − limit + 1, n/2 + 1 (and n/2 + 2) with the same page
    /// reached by following `next` from the front half (whole answers, byte for byte), and offsets at or past
    /// the end with an empty page.
    func assertBackHalfMatchesTheWalk(_ c: RawClient, _ list: String, token: String, limits: [Int] = [3, 4],
                                      _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sep = list.contains("?") ? "&" : "?"
        let n = try XCTUnwrap(c.json("GET", list, token: token).object["count"] as? Int, label, file: file, line: line)
        XCTAssertGreaterThan(n, 2 * (limits.max() ?? 0), "\(label): a list long enough to have a back half",
                             file: file, line: line)
        for limit in limits {
            for offset in Set([n - 1, n - limit, n - limit + 1, n / 2 + 1, n / 2 + 2, n, n + 2]).sorted() {
                let bare = try c.json("GET", list + sep + "limit=\(limit)&offset=\(offset)", token: token)
                XCTAssertEqual(bare.status, 200, bare.text, file: file, line: line)
                let at = "\(label): offset \(offset) of \(n), limit \(limit)"
                if offset >= n {
                    XCTAssertEqual((bare.object["results"] as? [Any])?.count, 0, at, file: file, line: line)
                    XCTAssertEqual(bare.object["count"] as? Int, n, at, file: file, line: line)
                    XCTAssertTrue(bare.object["next"] is NSNull, at, file: file, line: line)
                    continue
                }
                let start = offset % limit
                var walked = try c.json("GET", list + sep + "limit=\(limit)" + (start > 0 ? "&offset=\(start)" : ""), token: token)
                for _ in 0..<(offset / limit) {
                    let next = try XCTUnwrap(walked.object["next"] as? String, at, file: file, line: line)
                    walked = try c.json("GET", path(next), token: token)
                }
                XCTAssertEqual(bare.text, walked.text, at, file: file, line: line)
            }
        }
    }

    func testBackHalfOffsetsAnswerAsTheWalkFromTheFrontDoes() throws {
        let f = try ContentFixture(environment: ["TSUNA_FLUSH_INTERVAL_SECONDS": "3600"])
        // Videos: some private (the owner lists 13, a visitor 9); the owner's channels (5, the most a user has).
        for i in 0..<13 { _ = try f.item(published: i % 3 != 1, fields: ["title": "Clip \(i)"]) }
        for i in 0..<4 {
            XCTAssertEqual(try f.c.json("POST", "/channels/v1/", ["title": "More \(i)"], token: f.owner.access).status, 201)
        }
        let item = try f.item()
        // Comments, two of them pinned.
        var comments: [String] = []
        for i in 0..<11 {
            let r = try f.c.json("POST", "/comments/v1/video/\(item)/", ["body": "comment \(i)"], token: f.owner.access)
            comments.append(try XCTUnwrap(r.object["token"] as? String))
        }
        for pinned in [comments[3], comments[8]] {
            XCTAssertEqual(try f.c.json("PATCH", "/comments/v1/video/\(item)/\(pinned)/pin/", ["pinned": true],
                                        token: f.owner.access).status, 200)
        }
        // Fans who subscribe, vote (some down) and view; eight of them made admins (which subscribes them).
        var fans: [TestUser] = []
        for i in 0..<8 { fans.append(try f.makeAdmin("admin\(i)@example.com", permissions: ["can_add_object": i % 2 == 0])) }
        for i in 0..<5 { fans.append(try f.server.makeUser("fan\(i)@example.com", firstName: "Fan \(i)")) }
        for (i, u) in fans.enumerated() {
            if i >= 8 {
                XCTAssertEqual(try f.c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: u.access).status, 201)
            }
            XCTAssertEqual(try f.c.json("POST", "/votes/v1/video/\(item)/create/", ["choice": i % 3 == 0 ? "d" : "u"],
                                        token: u.access).status, 201)
            XCTAssertEqual(try f.c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: u.access).status, 200)
        }
        let writeBehind = ["/channel_subscribers/v1/\(f.channel)/list/", "/votes/v1/video/\(item)/list/",
                           "/viewers/v1/video/\(item)/list/"]
        let owner = f.owner.access
        try assertBackHalfMatchesTheWalk(f.c, "/videos/v1/\(f.channel)/", token: owner, "videos, private included")
        try assertBackHalfMatchesTheWalk(f.c, "/videos/v1/\(f.channel)/", token: fans[9].access, "videos, published")
        try assertBackHalfMatchesTheWalk(f.c, "/channels/v1/", token: owner, limits: [1, 2], "the owner's channels")
        try assertBackHalfMatchesTheWalk(f.c, "/comments/v1/video/\(item)/", token: owner, "comments")
        try assertBackHalfMatchesTheWalk(f.c, "/channel_admins/v1/\(f.channel)/", token: owner, "channel admins")
        for list in writeBehind { try assertBackHalfMatchesTheWalk(f.c, list, token: owner, "pending \(list)") }

        // Flushed by a graceful restart: stored rows only, then pending writes over them.
        XCTAssertEqual(f.server.stop(), 0)
        let again = try TestServer(environment: f.server.environment, dataDirectory: f.server.dataDirectory)
        let c = try again.client()
        for list in writeBehind { try assertBackHalfMatchesTheWalk(c, list, token: owner, "flushed \(list)") }
        XCTAssertEqual(try c.json("DELETE", "/channel_subscribers/v1/\(f.channel)/delete/", token: fans[10].access).status, 204)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: fans[10].access).status, 201)
        XCTAssertEqual(try c.json("DELETE", "/votes/v1/video/\(item)/delete/", token: fans[2].access).status, 204)
        XCTAssertEqual(try c.json("DELETE", "/votes/v1/video/\(item)/delete/", token: fans[11].access).status, 204)
        XCTAssertEqual(try c.json("POST", "/votes/v1/video/\(item)/create/", ["choice": "d"], token: fans[11].access).status, 201)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: f.owner.access).status, 200)
        for list in writeBehind { try assertBackHalfMatchesTheWalk(c, list, token: owner, "pending over stored \(list)") }
    }
}
