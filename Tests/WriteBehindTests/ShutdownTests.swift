import Foundation
import Store
import XCTest
@testable import WriteBehind

/// Shutdown tells the truth, under one deadline for all caches.
final class ShutdownTests: XCTestCase {
    func testAllCachesFlushTogetherAndRemoveTheirSnapshots() async throws {
        let f = try Fixture()
        try f.addOwners(1...3)
        let subs = try f.subs()
        let votes = try f.votes()
        for o in Int64(1)...3 {
            try await subs.put(owner: o, user: 1, value: Sub(date: o))
            try await votes.put(owner: o, user: 1, value: Vote(choice: 1, date: o))
        }
        _ = try await subs.snapshot()
        let report = await WriteBehindShutdown.run(caches: [subs, votes], deadline: .seconds(5))
        XCTAssertEqual(report.caches.map(\.name), ["subs", "votes"])
        XCTAssertTrue(report.isFlushed, report.description)
        XCTAssertEqual(report.lostEntries, 0)
        XCTAssertEqual(f.dir.listing("snapshots"), [])
        XCTAssertEqual(try f.storedSubs().count, 3)
        XCTAssertEqual(try f.storedVotes().count, 3)
        do {
            try await votes.put(owner: 1, user: 2, value: Vote(choice: 0, date: 1))
            XCTFail("writes after shutdown must be refused")
        } catch let e as WriteBehindError {
            XCTAssertEqual(e, .closed(cache: "votes"))
        }
    }

    /// Another process holds the database's write lock for longer than the deadline (and than the busy
    /// timeout): the shutdown returns by its deadline, with a flush from the timer stuck on the lock
    /// meanwhile, keeps everything in snapshots, and the store closes at once afterwards.
    func testALockedDatabaseIsBoundedByTheDeadlineAndNothingIsLost() async throws {
        let f = try Fixture(busyTimeoutMilliseconds: 5000)
        try f.addOwners(1...4)
        let subs = try f.subs()
        let votes = try f.votes()
        for o in Int64(1)...4 {
            for u in Int64(1)...5 {
                try await subs.put(owner: o, user: u, value: Sub(date: u))
                try await votes.put(owner: o, user: u, value: Vote(choice: UInt8(u % 2), date: u))
            }
        }
        let locker = try Connection(path: f.databasePath)
        try locker.execute("BEGIN IMMEDIATE")
        subs.startTimers(flushInterval: 0.01, snapshotInterval: 3600, log: { _ in })
        try await Task.sleep(nanoseconds: 100_000_000)   // the timer's flush now waits on the lock

        let started = ContinuousClock.now
        let report = await WriteBehindShutdown.run(caches: [subs, votes], deadline: .milliseconds(1500))
        let took = ContinuousClock.now - started
        XCTAssertLessThan(took, .milliseconds(1700), "bounded by the deadline, not by the busy timeout")
        XCTAssertFalse(report.isFlushed)
        XCTAssertEqual(report.lostEntries, 0, report.description)
        XCTAssertEqual(report.caches.map(\.unflushedEntries), [20, 20])
        XCTAssertEqual(report.caches.map(\.snapshottedEntries), [20, 20])
        XCTAssertTrue(report.caches.allSatisfy { $0.flushError != nil }, report.description)
        let files = f.dir.listing("snapshots")
        XCTAssertTrue(files.contains { $0.hasPrefix("subs-") } && files.contains { $0.hasPrefix("votes-") },
                      "kept for the next start: \(files)")
        let closing = ContinuousClock.now
        f.store.close()
        XCTAssertLessThan(ContinuousClock.now - closing, .milliseconds(500), "no write left waiting on the lock")

        try locker.execute("ROLLBACK")
        locker.close()
        try f.reopenStore()
        let restarted = try f.subs()
        let kept = try await restarted.value(owner: 4, user: 5)
        XCTAssertEqual(kept, Sub(date: 5))
        let again = await WriteBehindShutdown.run(caches: [restarted, try f.votes()], deadline: .seconds(5))
        XCTAssertTrue(again.isFlushed, again.description)
        XCTAssertEqual(try f.storedSubs().values.map(\.count).reduce(0, +), 20)
        XCTAssertEqual(try f.storedVotes().count, 20)
    }

    /// The database and the snapshots share a full disk: the reserve makes room for the final snapshot
    /// (and, room permitting, the flush); either way nothing acknowledged is lost.
    func testAFullDiskAtShutdownLosesNothing() async throws {
        let f = try Fixture(diskBytes: 4 << 20)
        try f.addOwners(1...4)
        let cache = try f.subs(shards: 2, reserve: 512 << 10)
        for o in Int64(1)...4 {
            for u in Int64(1)...50 { try await cache.put(owner: o, user: u, value: Sub(date: u)) }
        }
        f.disk?.fill()
        let report = await cache.shutdown(until: .now + .seconds(3))
        XCTAssertEqual(report.lostEntries, 0, report.description)
        XCTAssertTrue(report.isFlushed || report.snapshottedEntries == 200, report.description)
        XCTAssertEqual(cache.health.reserve, .released)

        f.disk?.unfill()
        try f.reopenStore()
        let restarted = try f.subs(shards: 2)
        let count = try await restarted.count(owner: 3)
        XCTAssertEqual(count, 50)
        let final = await restarted.shutdown(until: .now + .seconds(3))
        XCTAssertTrue(final.isFlushed, final.description)
        XCTAssertEqual(try f.storedSubs().values.map(\.count).reduce(0, +), 200)
    }

    /// Everything is in a snapshot already when the disk fills; the final flush then fails for lack of
    /// space, releases the reserve and gets through.
    func testAFlushFailingForSpaceAtShutdownGetsThroughWithTheReserve() async throws {
        let f = try Fixture(diskBytes: 4 << 20)
        try f.addOwners(1...4)
        let log = LogLines()
        let cache = try f.subs(shards: 2, reserve: 512 << 10, log: log.append)
        for o in Int64(1)...4 {
            for u in Int64(1)...200 { try await cache.put(owner: o, user: u, value: Sub(date: u)) }
        }
        _ = try await cache.snapshot()
        f.disk?.fill()
        let report = await cache.shutdown(until: .now + .seconds(3))
        XCTAssertTrue(report.isFlushed, report.description)
        XCTAssertTrue(log.all.contains { $0.contains("shutdown flush attempt 1 failed") && $0.contains("full") },
                      log.all.joined(separator: "\n"))
        XCTAssertEqual(cache.health.reserve, .released)
        XCTAssertEqual(try f.storedSubs().values.map(\.count).reduce(0, +), 800)
    }

    /// The old entry point keeps its contract: throws when the flush cannot complete, keeps the snapshot.
    func testShutdownWithoutADeadlineThrowsTheReport() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let table = SubsTable()
        let cache = try f.subs(shards: 1, table: table)
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        table.hooks.failWrites.withLock { $0 = true }
        do {
            try await cache.shutdown()
            XCTFail("shutdown should report the failed flush")
        } catch let WriteBehindError.notFlushedAtShutdown(report) {
            XCTAssertEqual(report.unflushedEntries, 1)
            XCTAssertEqual(report.lostEntries, 0)
        }
        XCTAssertEqual(f.dir.listing("snapshots"), ["subs-0.snapshot"])
    }
}
