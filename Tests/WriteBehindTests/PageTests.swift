import Foundation
import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// Pages by offset and by position (SPEC 1, SPEC 10): exact over any mix of stored rows and pending
/// inserts, replacements and deletes, before, during and after flushes.
final class PageTests: XCTestCase {
    /// Stored rows of `owner`: users 1...n, dates in 0..<60 (many ties, broken by user).
    func storeRows(_ f: Fixture, owner: Int64, count n: Int, rng: inout SeededRandom) throws -> PageModel<Sub> {
        var model = PageModel<Sub>()
        var rows: [(owner: Int64, user: Int64, date: Int64)] = []
        for user in 1...Int64(n) {
            let date = Int64.random(in: 0..<60, using: &rng)
            rows.append((owner, user, date))
            model.entries[user] = Sub(date: date)
        }
        try f.storeSubs(rows)
        return model
    }

    /// One random write to `owner` through the cache and the model: a new user, a replacement (sometimes
    /// at the same date), a delete of a present user, or of an absent one.
    func randomWrite(_ cache: WriteBehindCache<SubsTable>, owner: Int64, _ model: inout PageModel<Sub>,
                     rng: inout SeededRandom) async throws {
        let users = Array(model.entries.keys)
        let roll = Int.random(in: 0..<10, using: &rng)
        let date = Int64.random(in: -2..<62, using: &rng)
        if roll < 4 || users.isEmpty {
            let user = Int64.random(in: 1...1000, using: &rng)
            let previous = try await cache.put(owner: owner, user: user, value: Sub(date: date))
            XCTAssertEqual(previous, model.entries[user])
            model.entries[user] = Sub(date: date)
        } else if roll < 7 {
            let user = users.randomElement(using: &rng)!
            let value = roll == 6 ? model.entries[user]! : Sub(date: date)
            _ = try await cache.put(owner: owner, user: user, value: value)
            model.entries[user] = value
        } else if roll < 9 {
            let user = users.randomElement(using: &rng)!
            let removed = try await cache.remove(owner: owner, user: user)
            XCTAssertEqual(removed, model.entries[user])
            model.entries[user] = nil
        } else {
            let user = Int64.random(in: 1001...1100, using: &rng)
            let removed = try await cache.remove(owner: owner, user: user)
            XCTAssertNil(removed)
        }
    }

    /// Random writes, flushes (some left running while writes and pages go on, in batches of 16 so that
    /// pages meet batches being committed) and pages of a busy owner (its order kept between pages) and a
    /// quiet one (sorted per page), compared with the model. PAGE_SEED=n runs it with another seed.
    func testRandomWritesFlushesAndPagesMatchTheModel() async throws {
        var rng = SeededRandom(seed: UInt64(ProcessInfo.processInfo.environment["PAGE_SEED"] ?? "") ?? 2024)
        let f = try Fixture()
        var models: [Int64: PageModel<Sub>] = [1: try storeRows(f, owner: 1, count: 400, rng: &rng), 2: try storeRows(f, owner: 2, count: 30, rng: &rng)]
        let cache = try f.subs(shards: 2, batch: 16)
        var flushing: Task<FlushReport, Error>?
        for step in 1...1200 {
            let owner: Int64 = Int.random(in: 0..<10, using: &rng) < 8 ? 1 : 2
            try await randomWrite(cache, owner: owner, &models[owner]!, rng: &rng)
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll == 0 {
                _ = try await flushing?.value
                flushing = nil
                _ = try await cache.flush()
            } else if roll == 1 && flushing == nil {
                flushing = Task { try await cache.flush() }
            }
            if step % 100 == 0 {
                for owner in [Int64(1), 2] {
                    try await assertPagesMatch(cache, owner: owner, models[owner]!, rng: &rng, full: step % 300 == 0,
                                               "step \(step) owner \(owner)")
                }
            }
        }
        _ = try await flushing?.value
        _ = try await cache.flush()
        for owner in [Int64(1), 2] {
            try await assertPagesMatch(cache, owner: owner, models[owner]!, rng: &rng, "flushed, owner \(owner)")
            XCTAssertEqual(try f.storedSubs()[owner] ?? [:], models[owner]!.entries.mapValues(\.date))
        }
    }

    /// The same through a table that implements none of the keyset queries (the protocol's defaults).
    func testTheDefaultQueriesGiveTheSamePages() async throws {
        var rng = SeededRandom(seed: 7)
        let f = try Fixture()
        let cache = try f.votes(shards: 1)
        var model = PageModel<Vote>()
        for user in Int64(1)...300 {
            let vote = Vote(choice: UInt8(user & 1), date: Int64.random(in: 0..<40, using: &rng))
            try await cache.put(owner: 5, user: user, value: vote)
            model.entries[user] = vote
        }
        _ = try await cache.flush()
        for step in 1...300 {
            let user = Int64.random(in: 1...400, using: &rng)
            if Bool.random(using: &rng) {
                // A new vote, a changed date, or a changed choice at the same date.
                let old = model.entries[user]
                let vote = old.map { Bool.random(using: &rng) ? Vote(choice: 1 - $0.choice, date: $0.date) : Vote(choice: $0.choice, date: $0.date + 3) }
                    ?? Vote(choice: 0, date: Int64.random(in: 0..<40, using: &rng))
                try await cache.put(owner: 5, user: user, value: vote)
                model.entries[user] = vote
            } else {
                try await cache.remove(owner: 5, user: user)
                model.entries[user] = nil
            }
            if step % 100 == 0 { try await assertPagesMatch(cache, owner: 5, model, rng: &rng, "step \(step)") }
        }
    }

    func testEdgeCases() async throws {
        var rng = SeededRandom(seed: 11)
        let f = try Fixture()
        let cache = try f.subs()
        // No rows at all.
        try await assertPagesMatch(cache, owner: 9, PageModel(), rng: &rng, "empty owner")
        let none = try await cache.page(owner: 9, limit: 0, offset: 0)
        XCTAssertTrue(none.isEmpty)
        // Only pending rows, no stored ones.
        var pendingOnly = PageModel<Sub>()
        for user in Int64(1)...100 {
            try await cache.put(owner: 3, user: user, value: Sub(date: user % 7))
            pendingOnly.entries[user] = Sub(date: user % 7)
        }
        try await assertPagesMatch(cache, owner: 3, pendingOnly, rng: &rng, "pending only")
        // Every stored row hidden by a pending delete.
        _ = try storeRows(f, owner: 4, count: 80, rng: &rng)
        for user in Int64(1)...80 { try await cache.remove(owner: 4, user: user) }
        try await assertPagesMatch(cache, owner: 4, PageModel(), rng: &rng, "all deleted")
        // Many pending upserts before the first stored row, pages starting among them.
        var model = try storeRows(f, owner: 7, count: 80, rng: &rng)
        for user in Int64(101)...300 {
            try await cache.put(owner: 7, user: user, value: Sub(date: -5))
            model.entries[user] = Sub(date: -5)
        }
        try await assertPagesMatch(cache, owner: 7, model, rng: &rng, "upserts before")
        // A page's entries all replaced in place (same date), then the rows moved to the end.
        var moved = try storeRows(f, owner: 6, count: 120, rng: &rng)
        for user in Int64(40)...60 { try await cache.put(owner: 6, user: user, value: moved.entries[user]!) }
        for user in Int64(40)...60 {
            try await cache.put(owner: 6, user: user, value: Sub(date: 1000 + user))
            moved.entries[user] = Sub(date: 1000 + user)
        }
        try await assertPagesMatch(cache, owner: 6, moved, rng: &rng, "moved to the end")
        // Extreme keys and offsets.
        let all = try await cache.page(owner: 6, after: PageKey(sortKey: .min, user: .min), limit: .max)
        XCTAssertEqual(all.count, moved.entries.count)
        let beyond = try await cache.page(owner: 6, limit: 10, offset: .max)
        XCTAssertTrue(beyond.isEmpty)
        let last = try await cache.page(owner: 6, before: PageKey(sortKey: .max, user: .max), limit: 1)
        XCTAssertEqual(last.map(\.user), [60])
    }

    /// Entries loaded from snapshots do not know the rows they hide until their owner's counts are read:
    /// the first page reads them.
    func testPagesAfterARestartFromSnapshots() async throws {
        var rng = SeededRandom(seed: 5)
        let f = try Fixture()
        var model = try storeRows(f, owner: 1, count: 200, rng: &rng)
        do {
            let cache = try f.subs()
            for _ in 0..<300 { try await randomWrite(cache, owner: 1, &model, rng: &rng) }
            _ = try await cache.snapshot()
        }   // dropped without a shutdown, as after kill -9
        let restarted = try f.subs()
        try await assertPagesMatch(restarted, owner: 1, model, rng: &rng, "restarted")
    }
}

extension PageTests {
    /// Owners 1 and 2 with 3000 stored subscribers each (user u on date 10·u), read through a counting table.
    func storedOwners() throws -> (Fixture, SubsTable, WriteBehindCache<SubsTable>) {
        let f = try Fixture()
        let table = SubsTable()
        var rows: [(owner: Int64, user: Int64, date: Int64)] = []
        for user in Int64(1)...3000 {
            rows.append((1, user, user * 10))
            rows.append((2, user, user * 10))
        }
        try f.storeSubs(rows)
        return (f, table, try f.subs(table: table))
    }

    /// What `storedOwners` stored for one owner.
    func storedModel() -> PageModel<Sub> {
        var model = PageModel<Sub>()
        for user in Int64(1)...3000 { model.entries[user] = Sub(date: user * 10) }
        return model
    }

    /// A deep page of an owner with thousands of stored rows and pending entries spread over them reads a
    /// page's worth of rows and a few keys, not the pending entries' rows nor a window of them.
    func testDeepPagesReadAPageOfRowsNotOneRowPerPendingEntry() async throws {
        var rng = SeededRandom(seed: 77)
        let (f, table, cache) = try storedOwners()
        defer { withExtendedLifetime(f) {} }   // its folder and store outlive the cache's reads
        var model = storedModel()
        for i in Int64(0)..<1500 {
            let date = Int64.random(in: 0..<30_000, using: &rng) | 1
            let roll = Int.random(in: 0..<10, using: &rng)
            let user = roll < 6 ? 10_000 + i : Int64.random(in: 1...3000, using: &rng)
            if roll < 8 {
                try await cache.put(owner: 1, user: user, value: Sub(date: date))
                model.entries[user] = Sub(date: date)
            } else {
                try await cache.remove(owner: 1, user: user)
                model.entries[user] = nil
            }
        }
        let expected = model.sorted
        _ = try await cache.page(owner: 1, limit: 1, offset: 0)   // counts loaded, order built
        func cost(_ body: () async throws -> [(user: Int64, value: Sub)]) async throws
            -> (rows: Int, keys: Int, steps: Int, page: [PageEntry<Sub>]) {
            try await self.cost(table, body)
        }
        let deep = try await cost { try await cache.page(owner: 1, limit: 15, offset: 2500) }
        XCTAssertEqual(deep.page, Array(expected[2500..<2515]))
        XCTAssertLessThanOrEqual(deep.rows, 15 + ShardState<SubsTable>.seekSlack + 64 + 30, "rows read")
        XCTAssertLessThanOrEqual(deep.keys, 30, "keys read")
        let after = try await cost { try await cache.page(owner: 1, after: PageModel.key(expected[2499]), limit: 15) }
        XCTAssertEqual(after.page, Array(expected[2500..<2515]))
        XCTAssertLessThanOrEqual(after.rows, 15 + 64 + 30)
        XCTAssertEqual(after.keys, 0)
        let before = try await cost { try await cache.page(owner: 1, before: PageModel.key(expected[2515]), limit: 15) }
        XCTAssertEqual(before.page, Array(expected[2500..<2515]))
        XCTAssertLessThanOrEqual(before.rows, 15 + 64 + 30)
        let untouched = try await cost { try await cache.page(owner: 2, limit: 15, offset: 1200) }
        XCTAssertEqual(untouched.page.map(\.user), Array(1201...1215))
        XCTAssertEqual(untouched.rows, 15, "no pending entry: the start is found over the index, then one page")
        XCTAssertEqual(untouched.keys, 1)
        XCTAssertEqual(untouched.steps, 1200)
    }

    /// An offset in the back half steps over the index from its end: O(count − offset), not O(offset).
    func testBackHalfOffsetsAreLocatedFromTheEnd() async throws {
        var rng = SeededRandom(seed: 78)
        let (f, table, cache) = try storedOwners()
        defer { withExtendedLifetime(f) {} }   // its folder and store outlive the cache's reads
        var model = storedModel()
        _ = try await cache.count(owner: 2)   // counts loaded, as a list loads them for its envelope
        let untouched = try await cost(table) { try await cache.page(owner: 2, limit: 15, offset: 2990) }
        XCTAssertEqual(untouched.page.map(\.user), Array(2991...3000))
        XCTAssertEqual(untouched.rows, 10)
        XCTAssertEqual(untouched.keys, 1)
        XCTAssertEqual(untouched.steps, 11, "the row before the page, 11th from the end")
        let middle = try await cost(table) { try await cache.page(owner: 2, limit: 15, offset: 1501) }
        XCTAssertEqual(middle.page.map(\.user), Array(1502...1516))
        XCTAssertEqual(middle.steps, 1500)
        // Pending entries spread over the rows: the search starts from the end too.
        for _ in 0..<200 {
            let user = Int64.random(in: 1...4000, using: &rng)
            if Bool.random(using: &rng) {
                let value = Sub(date: Int64.random(in: 0..<30_000, using: &rng) | 1)
                try await cache.put(owner: 1, user: user, value: value)
                model.entries[user] = value
            } else {
                try await cache.remove(owner: 1, user: user)
                model.entries[user] = nil
            }
        }
        let expected = model.sorted
        for offset in [expected.count - 1, expected.count - 15, expected.count - 40, expected.count / 2 + 1] {
            let pending = try await cost(table) { try await cache.page(owner: 1, limit: 15, offset: offset) }
            XCTAssertEqual(pending.page, Array(expected[offset..<min(expected.count, offset + 15)]), "offset \(offset)")
            XCTAssertLessThanOrEqual(pending.steps, expected.count - offset + 8 * 200, "offset \(offset)")
        }
    }

    /// What `body` read through `table`: rows, keys, index entries stepped over, and the page.
    func cost(_ table: SubsTable, _ body: () async throws -> [(user: Int64, value: Sub)]) async throws
        -> (rows: Int, keys: Int, steps: Int, page: [PageEntry<Sub>]) {
        table.hooks.rowsRead.withLock { $0 = 0 }
        table.hooks.keyReads.withLock { $0 = 0 }
        table.hooks.keySteps.withLock { $0 = 0 }
        let page = try await body().map { PageEntry(user: $0.user, value: $0.value) }
        return (table.hooks.rowsRead.withLock { $0 }, table.hooks.keyReads.withLock { $0 }, table.hooks.keySteps.withLock { $0 },
                page)
    }
}
