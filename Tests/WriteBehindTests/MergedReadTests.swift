import Store
import XCTest
import TestSupport
@testable import WriteBehind

final class MergedReadTests: XCTestCase {
    func testPendingInsertIsVisibleAtOnceAndStoredRowsAreRead() async throws {
        let f = try Fixture()
        try f.storeSubs([(1, 10, 100)])
        let cache = try f.subs()
        let stored = try await cache.value(owner: 1, user: 10)
        XCTAssertEqual(stored, Sub(date: 100))
        let absent = try await cache.contains(owner: 1, user: 11)
        XCTAssertFalse(absent)
        let inserted = try await cache.insertIfAbsent(owner: 1, user: 11, value: Sub(date: 200))
        XCTAssertTrue(inserted)
        let visible = try await cache.value(owner: 1, user: 11)
        XCTAssertEqual(visible, Sub(date: 200))
        XCTAssertEqual(try f.storedSubs()[1]?[11], nil, "acknowledged from memory, not written yet")
        let again = try await cache.insertIfAbsent(owner: 1, user: 11, value: Sub(date: 300))
        XCTAssertFalse(again, "already present (pending)")
        let overStored = try await cache.insertIfAbsent(owner: 1, user: 10, value: Sub(date: 300))
        XCTAssertFalse(overStored, "already present (stored)")
        let unchanged = try await cache.value(owner: 1, user: 10)
        XCTAssertEqual(unchanged, Sub(date: 100))
    }

    func testPendingDeleteHidesStoredRowAtOnce() async throws {
        let f = try Fixture()
        try f.storeSubs([(1, 10, 100), (1, 11, 110)])
        let cache = try f.subs()
        let removed = try await cache.remove(owner: 1, user: 10)
        XCTAssertEqual(removed, Sub(date: 100))
        let hidden = try await cache.contains(owner: 1, user: 10)
        XCTAssertFalse(hidden)
        let count = try await cache.count(owner: 1)
        XCTAssertEqual(count, 1)
        let page = try await cache.page(owner: 1, limit: 10, offset: 0)
        XCTAssertEqual(page.map(\.user), [11])
        let removedAgain = try await cache.remove(owner: 1, user: 10)
        XCTAssertNil(removedAgain, "absent: nil and no change")
        let neverThere = try await cache.remove(owner: 1, user: 99)
        XCTAssertNil(neverThere)
        XCTAssertEqual(try f.storedSubs()[1]?.count, 2, "the delete is still pending")
        _ = try await cache.flush()
        XCTAssertEqual(try f.storedSubs()[1], [11: 110])
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0, "a remove of an absent key records nothing")
    }

    func testPutReturnsPreviousMergedValue() async throws {
        let f = try Fixture()
        try f.storeSubs([(2, 1, 5)])
        let cache = try f.subs()
        let fromStore = try await cache.put(owner: 2, user: 1, value: Sub(date: 6))
        XCTAssertEqual(fromStore, Sub(date: 5))
        let fromPending = try await cache.put(owner: 2, user: 1, value: Sub(date: 7))
        XCTAssertEqual(fromPending, Sub(date: 6))
        let fresh = try await cache.put(owner: 2, user: 2, value: Sub(date: 1))
        XCTAssertNil(fresh)
        _ = try await cache.remove(owner: 2, user: 2)
        let afterDelete = try await cache.put(owner: 2, user: 2, value: Sub(date: 3))
        XCTAssertNil(afterDelete, "a pending delete reads as absent")
        _ = try await cache.flush()
        XCTAssertEqual(try f.storedSubs()[2], [1: 7, 2: 3])
    }

    func testCountsPerCategoryFollowEveryChange() async throws {
        let f = try Fixture()
        try f.store.writeSync { c in
            for (u, choice) in [(1, 0), (2, 0), (3, 1)] {
                try c.run("INSERT INTO votes VALUES (7, ?, ?, 1)", [.integer(Int64(u)), .integer(Int64(choice))])
            }
        }
        let cache = try f.votes()
        var counts = try await cache.counts(owner: 7)
        XCTAssertEqual(counts, [2, 1])
        try await cache.put(owner: 7, user: 3, value: Vote(choice: 0, date: 2))      // down → up
        try await cache.put(owner: 7, user: 4, value: Vote(choice: 1, date: 2))      // new down
        _ = try await cache.remove(owner: 7, user: 1)                               // up removed
        _ = try await cache.insertIfAbsent(owner: 7, user: 2, value: Vote(choice: 1, date: 9))   // refused
        counts = try await cache.counts(owner: 7)
        XCTAssertEqual(counts, [2, 1])
        let total = try await cache.count(owner: 7)
        XCTAssertEqual(total, 3)
        _ = try await cache.flush()
        counts = try await cache.counts(owner: 7)
        XCTAssertEqual(counts, [2, 1], "a flush does not change the merged view")
        let rows = try f.storedVotes().filter { $0.key.owner == 7 }
        XCTAssertEqual(rows.values.filter { $0.choice == 0 }.count, 2)
        XCTAssertEqual(rows.values.filter { $0.choice == 1 }.count, 1)
    }

    func testCountsLoadedAfterPendingWritesCheckEachAgainstTheDatabase() async throws {
        let f = try Fixture()
        try f.store.writeSync { c in
            try c.run("INSERT INTO votes VALUES (8, 1, 0, 1), (8, 2, 1, 1)")
        }
        // Snapshot pending writes, then load them in a new cache whose counts were never asked for.
        let first = try f.votes()
        try await first.put(owner: 8, user: 1, value: Vote(choice: 1, date: 2))   // up → down
        _ = try await first.remove(owner: 8, user: 2)                              // down removed
        try await first.put(owner: 8, user: 3, value: Vote(choice: 0, date: 2))   // new up
        _ = try await first.snapshot()
        let second = try f.votes()
        let counts = try await second.counts(owner: 8)
        XCTAssertEqual(counts, [1, 1])
    }

    func testPagesMergeStoredAndPendingRowsInStableOrder() async throws {
        var rng = SeededRandom(seed: 42)
        for round in 0..<12 {
            let f = try Fixture()
            let owner: Int64 = 5
            var model: [Int64: Int64] = [:]   // user → date
            var stored: [(owner: Int64, user: Int64, date: Int64)] = []
            for user in Int64(0)..<Int64.random(in: 0...40, using: &rng) {
                let date = Int64.random(in: 0...20, using: &rng)   // many ties, broken by user
                stored.append((owner, user, date))
                model[user] = date
            }
            try f.storeSubs(stored)
            try f.storeSubs([(owner + 1, 1, 0)])   // a neighbour owner must not leak in
            let cache = try f.subs(shards: 1 + round % 3)
            for _ in 0..<Int.random(in: 0...25, using: &rng) {
                let user = Int64.random(in: 0...50, using: &rng)
                if Bool.random(using: &rng) {
                    let date = Int64.random(in: 0...20, using: &rng)
                    try await cache.put(owner: owner, user: user, value: Sub(date: date))
                    model[user] = date
                } else {
                    _ = try await cache.remove(owner: owner, user: user)
                    model[user] = nil
                }
            }
            let expected = model.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { $0.key }
            for limit in [1, 3, 7, 100] {
                for offset in 0...(expected.count + 2) {
                    let page = try await cache.page(owner: owner, limit: limit, offset: offset)
                    let want = Array(expected.dropFirst(offset).prefix(limit))
                    XCTAssertEqual(page.map(\.user), want, "round \(round) limit \(limit) offset \(offset)")
                    for row in page { XCTAssertEqual(row.value.date, model[row.user]) }
                }
            }
            let count = try await cache.count(owner: owner)
            XCTAssertEqual(count, expected.count)
            let none = try await cache.page(owner: owner, limit: 0, offset: 0)
            XCTAssertTrue(none.isEmpty)
            let negative = try await cache.page(owner: owner, limit: 2, offset: -5)
            XCTAssertEqual(negative.map(\.user), Array(expected.prefix(2)))
            let huge = try await cache.page(owner: owner, limit: Int.max, offset: Int.max)
            XCTAssertTrue(huge.isEmpty)
        }
    }

    func testCountsOfIdleOwnersAreEvictedAndReread() async throws {
        let f = try Fixture()
        let owners = Array(Int64(1)...200)
        try f.storeSubs(owners.map { ($0, 1, 1) })
        let cache = try f.subs(shards: 1, limit: 16)
        for o in owners {
            let n = try await cache.count(owner: o)
            XCTAssertEqual(n, 1)
        }
        let stats = await cache.stats()
        XCTAssertLessThanOrEqual(stats.countedOwners, 32, "bounded, not one per owner ever read")
        // Changed behind the cache's back: an evicted owner shows the new truth when re-read.
        try f.storeSubs([(1, 2, 1)])
        let reread = try await cache.count(owner: 1)
        XCTAssertEqual(reread, 2)
        // Owners with pending entries keep their counts whatever the limit.
        for o in owners { try await cache.put(owner: o, user: 3, value: Sub(date: 2)) }
        for o in owners {
            let n = try await cache.count(owner: o)
            XCTAssertEqual(n, o == 1 ? 3 : 2)
        }
    }

    func testForgetOwnerDropsPendingEntriesAndCounts() async throws {
        let f = try Fixture()
        try f.storeSubs([(1, 1, 1), (2, 1, 1)])
        let cache = try f.subs()
        try await cache.put(owner: 1, user: 2, value: Sub(date: 2))
        try await cache.put(owner: 2, user: 2, value: Sub(date: 2))
        let before = try await cache.count(owner: 1)
        XCTAssertEqual(before, 2)
        // The feature deletes the owner (cascade), then tells the cache.
        try f.store.writeSync { c in try c.run("DELETE FROM owners WHERE id = 1") }
        await cache.forgetOwner(1)
        let gone = try await cache.contains(owner: 1, user: 2)
        XCTAssertFalse(gone)
        let count = try await cache.count(owner: 1)
        XCTAssertEqual(count, 0)
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 1, "only owner 2's entry is left")
        XCTAssertEqual(report.rejected, 0)
        XCTAssertEqual(try f.storedSubs(), [2: [1: 1, 2: 2]])
    }

    func testForgetUserDropsPendingEntriesAndRereadsCounts() async throws {
        let f = try Fixture()
        try f.storeSubs([(1, 9, 1), (2, 9, 1), (2, 8, 1)])
        let cache = try f.subs()
        try await cache.put(owner: 3, user: 9, value: Sub(date: 2))
        try await cache.put(owner: 3, user: 8, value: Sub(date: 2))
        let c2 = try await cache.count(owner: 2)
        XCTAssertEqual(c2, 2)
        try f.store.writeSync { c in try c.run("DELETE FROM subs WHERE user = 9") }
        await cache.forgetUser(9)
        let after2 = try await cache.count(owner: 2)
        XCTAssertEqual(after2, 1, "the stored row of user 9 vanished: counts are re-read")
        let after3 = try await cache.count(owner: 3)
        XCTAssertEqual(after3, 1)
        let pending9 = try await cache.contains(owner: 3, user: 9)
        XCTAssertFalse(pending9)
        try f.addOwners([3])
        _ = try await cache.flush()
        XCTAssertEqual(try f.storedSubs(), [2: [8: 1], 3: [8: 2]])
    }
}
