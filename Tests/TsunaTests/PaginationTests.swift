import XCTest
import Foundation
import TestSupport

/// SPEC 1, pagination: `next` and `previous` keep `limit` and `offset` and carry a position key, and following
/// them visits exactly the pages that offsets give.
final class PaginationTests: XCTestCase {
    /// Tokens of every page, following `next` from page 1, then `previous` back.
    func walk(_ c: RawClient, _ first: String, token: String) throws -> (forward: [[String]], backward: [[String]]) {
        var forward: [[String]] = [], backward: [[String]] = []
        var url: String? = first
        var last: [String: Any] = [:]
        while let next = url {
            let r = try c.json("GET", path(next), token: token)
            XCTAssertEqual(r.status, 200, r.text)
            last = r.object
            forward.append((last["results"] as? [[String: Any]] ?? []).compactMap { $0["token"] as? String })
            url = last["next"] as? String
            if let url {
                XCTAssertTrue(url.contains("cursor="), url)
                // Opaque: the position key (dates and internal ids) is sealed, never written out.
                let cursor = URLComponents(string: url)?.queryItems?.first { $0.name == "cursor" }?.value ?? ""
                XCTAssertFalse(cursor.contains("."), cursor)
                XCTAssertGreaterThanOrEqual(cursor.count, 40, cursor)
            }
        }
        url = last["previous"] as? String
        while let previous = url {
            let r = try c.json("GET", path(previous), token: token)
            backward.insert((r.object["results"] as? [[String: Any]] ?? []).compactMap { $0["token"] as? String }, at: 0)
            url = r.object["previous"] as? String
        }
        return (forward, backward)
    }

    func path(_ url: String) -> String {
        guard let u = URLComponents(string: url) else { return url }
        return u.path + (u.query.map { "?" + $0 } ?? "")
    }

    func testFollowingLinksVisitsTheSamePagesAsOffsets() throws {
        let f = try ContentFixture()
        var items: [String] = []
        for i in 0..<23 { items.append(try f.item(fields: ["title": "Clip \(i)"])) }
        let base = "/videos/v1/\(f.channel)/?limit=5"
        let (forward, backward) = try walk(f.c, base, token: f.owner.access)
        XCTAssertEqual(forward.map(\.count), [5, 5, 5, 5, 3])
        XCTAssertEqual(forward.flatMap { $0 }, items.reversed(), "newest first, each item once")
        XCTAssertEqual(Array(backward), Array(forward.dropLast()), "previous links lead back through the same pages")
        for (i, page) in forward.enumerated() {
            let r = try f.c.json("GET", base + "&offset=\(i * 5)", token: f.owner.access)
            XCTAssertEqual((r.object["results"] as? [[String: Any]])?.compactMap { $0["token"] as? String }, page)
            XCTAssertEqual(r.object["count"] as? Int, 23)
        }
        // A position key that makes no sense falls back to the offset.
        let junk = try f.c.json("GET", base + "&offset=5&cursor=zz9", token: f.owner.access)
        XCTAssertEqual((junk.object["results"] as? [[String: Any]])?.compactMap { $0["token"] as? String }, forward[1])
    }

    func testCommentsFollowPinnedThenNewestByPosition() throws {
        let f = try ContentFixture()
        let item = try f.item()
        var tokens: [String] = []
        for i in 0..<12 {
            let r = try f.c.json("POST", "/comments/v1/video/\(item)/", ["body": "comment \(i)"], token: f.owner.access)
            tokens.append(try XCTUnwrap(r.object["token"] as? String))
        }
        for pinned in [tokens[2], tokens[7]] {
            XCTAssertEqual(try f.c.json("PATCH", "/comments/v1/video/\(item)/\(pinned)/pin/", ["pinned": true],
                                        token: f.owner.access).status, 200)
        }
        let (forward, backward) = try walk(f.c, "/comments/v1/video/\(item)/?limit=4", token: f.owner.access)
        let expected = [tokens[7], tokens[2]] + tokens.reversed().filter { $0 != tokens[2] && $0 != tokens[7] }
        XCTAssertEqual(forward.flatMap { $0 }, expected)
        XCTAssertEqual(Array(backward), Array(forward.dropLast()))
    }
}
