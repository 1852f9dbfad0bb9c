import Foundation
import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// Acknowledge only what can be kept: while snapshots fail the cache refuses writes, keeps serving reads,
/// and lets writes in again by itself once a snapshot succeeds. Real faults: a full tmpfs, a tmpfs
/// remounted read-only (the snapshot folder is the mount; the database stays on the ordinary disk).
final class AvailabilityTests: XCTestCase {
    /// Writes `users` of owner 1 through `cache`.
    private func put(_ cache: WriteBehindCache<SubsTable>, users: ClosedRange<Int64>) async throws {
        for u in users { try await cache.put(owner: 1, user: u, value: Sub(date: u)) }
    }

    private func assertRefused(_ cache: WriteBehindCache<SubsTable>, file: StaticString = #filePath,
                               line: UInt = #line) async throws {
        do {
            try await cache.put(owner: 1, user: 999, value: Sub(date: 1))
            XCTFail("a write was acknowledged while snapshots fail", file: file, line: line)
        } catch let e as WriteBehindError {
            guard case .storageUnavailable(let cache, _) = e else { return XCTFail("\(e)", file: file, line: line) }
            XCTAssertEqual(cache, "subs", file: file, line: line)
            XCTAssertTrue(e.isStorageUnavailable, file: file, line: line)
        }
        let absent = try await cache.value(owner: 1, user: 999)
        XCTAssertNil(absent, "a refused write changes nothing", file: file, line: line)
        XCTAssertFalse(cache.isAcceptingWrites, file: file, line: line)
    }

    func testAFullDiskRefusesWritesKeepsWhatWasAcknowledgedAndRecoversByItself() async throws {
        let f = try Fixture()
        let disk = try ScratchMount(at: f.snapshots, bytes: 1 << 20)
        defer { disk.unmount() }
        try f.addOwners([1])
        let log = LogLines()
        let cache = try f.subs(shards: 1, reserve: 64 << 10, log: log.append)
        XCTAssertEqual(cache.health.reserve, .held)
        try await put(cache, users: 1...10)
        _ = try await cache.snapshot()
        XCTAssertTrue(cache.isAcceptingWrites)

        disk.fill()
        try await put(cache, users: 11...20)   // acknowledged before any snapshot could tell: the window
        var stats = await cache.stats()
        XCTAssertEqual(stats.unsnapshottedEntries, 10)
        // The snapshot fails for lack of space, releases the reserve and succeeds with its room.
        let report = try await cache.snapshot()
        XCTAssertEqual(report.entries, 20)
        stats = await cache.stats()
        XCTAssertEqual(stats.unsnapshottedEntries, 0, "the window's writes reached the disk")
        XCTAssertEqual(stats.snapshotFailures, 1)
        XCTAssertFalse(stats.acceptingWrites)
        let health = cache.health
        XCTAssertEqual(health.reserve, .released)
        XCTAssertTrue(health.refusal?.contains("the disk is full") ?? false, "\(health)")
        try await assertRefused(cache)
        // Reads go on.
        let read = try await cache.value(owner: 1, user: 15)
        XCTAssertEqual(read, Sub(date: 15))
        let count = try await cache.count(owner: 1)
        XCTAssertEqual(count, 20)
        // Still full: the next snapshot cannot make the reserve again, writes stay refused.
        _ = try await cache.snapshot()
        try await assertRefused(cache)

        disk.unfill()
        _ = try await cache.snapshot()
        XCTAssertTrue(cache.isAcceptingWrites, "space came back: accepting again, without a restart")
        XCTAssertEqual(cache.health.reserve, .held)
        XCTAssertNil(cache.health.refusal)
        try await cache.put(owner: 1, user: 21, value: Sub(date: 21))
        XCTAssertEqual(log.all.filter { $0.contains("refusing writes") }.count, 1, log.all.joined(separator: "\n"))
        XCTAssertTrue(log.all.contains { $0.contains("accepting writes") }, log.all.joined(separator: "\n"))
        _ = try await cache.flush()
        XCTAssertEqual(try f.storedSubs()[1]?.count, 21)
    }

    func testAReadOnlySnapshotFolderRefusesWritesUntilItIsWritableAgain() async throws {
        let f = try Fixture()
        let disk = try ScratchMount(at: f.snapshots, bytes: 1 << 20)
        defer { disk.unmount() }
        try f.addOwners([1])
        let cache = try f.subs(shards: 2)
        try await put(cache, users: 1...5)
        _ = try await cache.snapshot()
        try disk.remountReadOnly()
        try await put(cache, users: 6...8)
        do {
            _ = try await cache.snapshot()
            XCTFail("a snapshot on a read-only file system succeeded")
        } catch let e as WriteBehindError {
            XCTAssertTrue(e.isStorageUnavailable, "\(e)")
            XCTAssertTrue(String(describing: e).contains("Read-only file system"), "\(e)")
        }
        try await assertRefused(cache)
        XCTAssertTrue(cache.health.lastSnapshotError?.contains("Read-only file system") ?? false)
        let stats = await cache.stats()
        XCTAssertEqual(stats.unsnapshottedEntries, 3)
        let read = try await cache.page(owner: 1, limit: 10, offset: 0).count
        XCTAssertEqual(read, 8, "reads go on")

        try disk.remountReadWrite()
        _ = try await cache.snapshot()
        XCTAssertTrue(cache.isAcceptingWrites)
        XCTAssertNil(cache.health.lastSnapshotError)
        XCTAssertNotNil(cache.health.lastSnapshotAt)
        try await cache.put(owner: 1, user: 9, value: Sub(date: 9))
    }

    /// Without a reserve the window's writes stay in memory only; a shutdown that can flush nothing (the
    /// database locked by another process) reports them as lost, and the snapshotted ones as kept.
    func testWritesAcknowledgedBeforeAFailingSnapshotAreReportedWhenNothingCanKeepThem() async throws {
        let f = try Fixture()
        let disk = try ScratchMount(at: f.snapshots, bytes: 1 << 20)
        defer { disk.unmount() }
        try f.addOwners([1])
        let cache = try f.subs(shards: 1)
        try await put(cache, users: 1...10)
        _ = try await cache.snapshot()
        disk.fill()
        try await put(cache, users: 11...15)
        do {
            _ = try await cache.snapshot()
            XCTFail("the snapshot should fail on a full disk")
        } catch {
            XCTAssertTrue(isOutOfSpace(error), "\(error)")
        }
        try await assertRefused(cache)
        let locker = try Connection(path: f.databasePath)
        try locker.execute("BEGIN IMMEDIATE")
        defer { try? locker.execute("ROLLBACK"); locker.close() }
        let report = await cache.shutdown(until: .now + .seconds(1))
        XCTAssertEqual(report.unflushedEntries, 15)
        XCTAssertEqual(report.snapshottedEntries, 10)
        XCTAssertEqual(report.lostEntries, 5)
        XCTAssertTrue(report.flushError?.contains("locked") ?? false, "\(report)")
        XCTAssertTrue(report.snapshotError?.contains("No space left on device") ?? false, "\(report)")
        XCTAssertTrue(report.description.contains("5 are LOST"), report.description)
    }
}
