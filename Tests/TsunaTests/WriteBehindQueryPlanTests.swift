import XCTest
import Foundation
import Store
@testable import Tsuna

/// The write-behind tables' keyset queries read their (owner, date, user_id) index in order, and the key
/// queries that locate a deep offset (from either end) read nothing else (SQLite then steps over the skipped rows cheaply).
final class WriteBehindQueryPlanTests: XCTestCase {
    func testKeysetAndKeyQueriesReadTheIndexInOrder() throws {
        let directory = NSTemporaryDirectory() + "tsuna-wb-plan-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Store(path: directory + "/tsuna.sqlite", migrations: Schema.migrations)
        defer { store.close() }
        let key: [any SQLBindable] = [1, Int64(1_700_000_000_000_000), 42]
        var queries: [(String, String, [any SQLBindable], covering: Bool)] = []
        for (name, t) in [("subscribers", DatedTable.subscriptions), ("viewers", DatedTable.viewers)] {
            queries += [(name + " after", t.selectAfter, key + [15], false), (name + " before", t.selectBefore, key + [15], false),
                        (name + " key", t.selectKey, [1, 150_000], true), (name + " key after", t.selectKeyAfter, key + [10], true),
                        (name + " key from the end", t.selectKeyFromEnd, [1, 50_000], true),
                        (name + " key before", t.selectKeyBefore, key + [10], true)]
        }
        queries += [("votes after", VotesTable.selectAfter, key + [15], false), ("votes before", VotesTable.selectBefore, key + [15], false),
                    ("votes key", VotesTable.selectKey, [1, 150_000], true), ("votes key after", VotesTable.selectKeyAfter, key + [10], true),
                    ("votes key from the end", VotesTable.selectKeyFromEnd, [1, 50_000], true),
                    ("votes key before", VotesTable.selectKeyBefore, key + [10], true)]
        for (label, sql, args, covering) in queries {
            let lines = try store.read { c in try c.query("EXPLAIN QUERY PLAN " + sql, args) { $0.string("detail") } }
            XCTAssertFalse(lines.isEmpty, label)
            for l in lines {
                XCTAssertFalse(l.contains("TEMP B-TREE") || l.hasPrefix("SCAN"), "\(label): \(l)")
                XCTAssertTrue(l.contains("_by_date"), "\(label): \(l)")
                if covering { XCTAssertTrue(l.contains("COVERING INDEX"), "\(label): \(l)") }
            }
        }
    }
}
