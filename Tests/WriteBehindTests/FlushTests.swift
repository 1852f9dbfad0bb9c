import Platform
import Store
import XCTest
@testable import WriteBehind

final class FlushTests: XCTestCase {
    func testFlushAppliesInBatchesDropsPendingAndRecordsTheSequence() async throws {
        let f = try Fixture()
        try f.addOwners(1...5)
        let cache = try f.subs(shards: 2, batch: 3)
        for o in Int64(1)...5 {
            for u in Int64(1)...4 { try await cache.put(owner: o, user: u, value: Sub(date: o * 10 + u)) }
        }
        _ = try await cache.remove(owner: 1, user: 1)
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 20)
        XCTAssertEqual(report.rejected, 0)
        let stored = try f.storedSubs()
        XCTAssertEqual(stored.values.map(\.count).reduce(0, +), 19)
        XCTAssertNil(stored[1]?[1])
        XCTAssertEqual(stored[3]?[2], 32)
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        XCTAssertEqual(stats.lastFlushRows, 20)
        XCTAssertFalse(try f.flushedSeq("subs").isEmpty)
        XCTAssertTrue(try f.flushedSeq("subs").values.allSatisfy { $0 > 0 })
        let again = try await cache.flush()
        XCTAssertEqual(again.rows, 0, "nothing is applied twice")
    }

    func testWriteArrivingDuringFlushIsNeitherLostNorAppliedTwice() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let table = SubsTable()
        let cache = try f.subs(shards: 1, table: table)
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        try await cache.put(owner: 1, user: 2, value: Sub(date: 1))
        try await cache.put(owner: 1, user: 3, value: Sub(date: 1))
        table.hooks.pauseOnUser.withLock { $0 = 2 }
        let flushing = Task { try await cache.flush() }
        // Wait (off the cooperative pool) until the writer thread is inside the flush transaction.
        await withCheckedContinuation { cont in
            DispatchQueue.global().async { table.hooks.reached.wait(); cont.resume() }
        }
        try await cache.put(owner: 1, user: 1, value: Sub(date: 2))     // replaces an entry being flushed
        _ = try await cache.remove(owner: 1, user: 3)                    // deletes one being flushed
        try await cache.put(owner: 1, user: 4, value: Sub(date: 2))     // a new key
        let during = try await cache.value(owner: 1, user: 1)
        XCTAssertEqual(during, Sub(date: 2))
        table.hooks.release.signal()
        let first = try await flushing.value
        XCTAssertEqual(first.rows, 3)
        XCTAssertEqual(try f.storedSubs()[1], [1: 1, 2: 1, 3: 1], "the flush wrote what it took")
        var stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 3, "the three writes made during the flush stay pending")
        let merged = try await cache.page(owner: 1, limit: 10, offset: 0).map(\.user)
        XCTAssertEqual(Set(merged), [1, 2, 4])
        let writesBefore = table.hooks.writes.withLock { $0 }
        let second = try await cache.flush()
        XCTAssertEqual(second.rows, 3)
        XCTAssertEqual(table.hooks.writes.withLock { $0 } - writesBefore, 3, "each later write applied once")
        XCTAssertEqual(try f.storedSubs()[1], [1: 2, 2: 1, 4: 2])
        stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        let count = try await cache.count(owner: 1)
        XCTAssertEqual(count, 3)
    }

    /// A large flush (whole-shard rebuild after it) while writes replace, add and delete entries, and an
    /// owner is forgotten (slots move, so that shard drops entry by entry).
    func testLargeFlushKeepsEveryChangeMadeWhileItRan() async throws {
        let f = try Fixture()
        let owners = Array(Int64(1)...8)
        try f.addOwners(owners)
        let table = SubsTable()
        let cache = try f.subs(shards: 2, table: table, batch: 500)
        for o in owners { for u in Int64(1)...300 { try await cache.put(owner: o, user: u, value: Sub(date: 1)) } }
        table.hooks.pauseOnUser.withLock { $0 = 150 }
        let flushing = Task { try await cache.flush() }
        await withCheckedContinuation { cont in
            DispatchQueue.global().async { table.hooks.reached.wait(); cont.resume() }
        }
        var model: [Int64: [Int64: Int64]] = [:]
        for o in owners { for u in Int64(1)...300 { model[o, default: [:]][u] = 1 } }
        for o in owners where o != 8 {
            for u in stride(from: Int64(1), through: 300, by: 7) {
                try await cache.put(owner: o, user: u, value: Sub(date: 2))
                model[o]?[u] = 2
            }
            for u in stride(from: Int64(3), through: 300, by: 11) {
                _ = try await cache.remove(owner: o, user: u)
                model[o]?[u] = nil
            }
            try await cache.put(owner: o, user: 1000 + o, value: Sub(date: 3))
            model[o]?[1000 + o] = 3
        }
        // Forgetting an owner moves slots in its shard: that shard drops the flushed entries one by one.
        await cache.forgetOwner(8)
        table.hooks.release.signal()
        let first = try await flushing.value
        XCTAssertEqual(first.rows, 8 * 300)
        var stats = await cache.stats()
        var expectedPending = 0
        for o in owners where o != 8 {
            expectedPending += Set(stride(from: Int64(1), through: 300, by: 7)).union(stride(from: Int64(3), through: 300, by: 11)).count + 1
        }
        XCTAssertEqual(stats.pendingEntries, expectedPending, "exactly the entries changed during the flush stay")
        for o in owners {
            let n = try await cache.count(owner: o)
            XCTAssertEqual(n, model[o]?.count ?? 0, "owner \(o)")
        }
        _ = try await cache.flush()
        stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        XCTAssertEqual(try f.storedSubs(), model)
    }

    func testFailingFlushKeepsEverythingPendingAndTheNextOneSucceeds() async throws {
        let f = try Fixture()
        try f.addOwners(1...3)
        let table = SubsTable()
        let cache = try f.subs(shards: 2, table: table, batch: 2)
        for o in Int64(1)...3 {
            for u in Int64(1)...3 { try await cache.put(owner: o, user: u, value: Sub(date: u)) }
        }
        table.hooks.failWrites.withLock { $0 = true }
        do {
            _ = try await cache.flush()
            XCTFail("the flush should fail")
        } catch let e as StoreError {
            XCTAssertFalse(e.isConstraintViolation)
        }
        var stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 9)
        XCTAssertEqual(stats.flushFailures, 1)
        XCTAssertNotNil(stats.lastFlushError)
        XCTAssertEqual(try f.storedSubs().count, 0)
        let visible = try await cache.count(owner: 2)
        XCTAssertEqual(visible, 3, "reads still see the pending writes")
        table.hooks.failWrites.withLock { $0 = false }
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 9)
        XCTAssertEqual(try f.storedSubs().values.map(\.count).reduce(0, +), 9)
        stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        XCTAssertNil(stats.lastFlushError)
    }

    func testFlushFailingHalfwayDropsOnlyTheCommittedBatches() async throws {
        let f = try Fixture()
        try f.addOwners(1...3)
        let table = SubsTable()
        let cache = try f.subs(shards: 2, table: table, batch: 2)
        for o in Int64(1)...3 {
            for u in Int64(1)...3 { try await cache.put(owner: o, user: u, value: Sub(date: o * 10 + u)) }
        }
        // Flushed in (owner, user) order, two rows per transaction: (1,1) (1,2) commit, then (1,3) fails.
        table.hooks.failUser.withLock { $0 = 3 }
        do {
            _ = try await cache.flush()
            XCTFail("the flush should fail")
        } catch {}
        XCTAssertEqual(try f.storedSubs(), [1: [1: 11, 2: 12]])
        var stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 7, "the committed batch is dropped, the rest stays")
        XCTAssertEqual(try f.flushedSeq("subs"), [:], "flushed_seq is recorded only with the last batch")
        for o in Int64(1)...3 {
            let n = try await cache.count(owner: o)
            XCTAssertEqual(n, 3)
        }
        table.hooks.failUser.withLock { $0 = nil }
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 7)
        stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        XCTAssertEqual(try f.storedSubs().values.map(\.count).reduce(0, +), 9)
        XCTAssertFalse(try f.flushedSeq("subs").isEmpty)
    }

    func testBusyDatabaseFailsTheFlushWithoutLoss() async throws {
        let f = try Fixture(busyTimeoutMilliseconds: 20)
        try f.addOwners([1])
        let cache = try f.subs()
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        try await cache.put(owner: 1, user: 2, value: Sub(date: 1))
        // A real SQLite failure: another connection holds the write lock past the busy timeout.
        let other = try Connection(path: f.databasePath)
        try other.execute("BEGIN IMMEDIATE")
        do {
            _ = try await cache.flush()
            XCTFail("the flush should fail")
        } catch let e as StoreError {
            XCTAssertTrue(e.isBusy, "\(e)")
        }
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 2)
        XCTAssertEqual(stats.flushFailures, 1)
        try other.execute("ROLLBACK")
        other.close()
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 2)
        XCTAssertEqual(try f.storedSubs()[1]?.count, 2)
    }

    func testRowsViolatingConstraintsAreDroppedAndLoggedOthersApplied() async throws {
        let f = try Fixture()
        try f.addOwners([1, 2])
        let cache = try f.subs(shards: 1)
        let lines = LogLines()
        cache.startTimers(flushInterval: 3600, snapshotInterval: 3600, log: { lines.append($0) })
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        try await cache.put(owner: 2, user: 1, value: Sub(date: 1))
        try await cache.put(owner: 2, user: 2, value: Sub(date: 1))
        try await cache.put(owner: 1, user: 2, value: Sub(date: 1))
        let before = try await cache.count(owner: 2)
        XCTAssertEqual(before, 2)
        // The owner vanished while its entries were pending (no forgetOwner yet): a foreign-key violation.
        try f.store.writeSync { c in try c.run("DELETE FROM owners WHERE id = 2") }
        let report = try await cache.flush()
        XCTAssertEqual(report.rows, 2)
        XCTAssertEqual(report.rejected, 2)
        XCTAssertEqual(try f.storedSubs(), [1: [1: 1, 2: 1]])
        XCTAssertEqual(lines.all.filter { $0.contains("dropped (owner 2") }.count, 2, "\(lines.all)")
        let after = try await cache.count(owner: 2)
        XCTAssertEqual(after, 0, "counts of the owner are re-read after its rows were refused")
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
        XCTAssertEqual(stats.lastFlushRejected, 2)
        try await cache.shutdown()
    }

    func testTimersFlushAndSnapshotPeriodically() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let cache = try f.subs(shards: 2)
        cache.startTimers(flushInterval: 0.05, snapshotInterval: 0.01, log: { _ in })
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        // Wait for the conditions (bounded), never for a duration.
        var flushed = false
        for _ in 0..<500 where !flushed {
            try await Task.sleep(nanoseconds: 10_000_000)
            flushed = try f.storedSubs()[1]?[1] == 1
        }
        XCTAssertTrue(flushed, "the flush timer wrote the row")
        try await cache.shutdown()
        XCTAssertEqual(f.dir.listing("snapshots"), [])
    }
}

/// Collects log lines from any thread.
final class LogLines: Sendable {
    private let lines = Locked<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var all: [String] { lines.withLock { $0 } }
}
