import Foundation
import Store
import XCTest
@testable import WriteBehind

/// Snapshot entries naming rows the database no longer has are reported once at start, with their count.
final class MissingRowsTests: XCTestCase {
    /// A crash loses the database's -wal file: the main file is older than the snapshots. Simulated
    /// exactly: the main file is copied right after a checkpoint, while later commits live only in the WAL.
    func testALostWALIsReportedOnceAndItsOrphanEntriesDropped() async throws {
        let f = try Fixture()
        try f.addOwners([1, 2])
        let checkpoint = try Connection(path: f.databasePath)
        try checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        checkpoint.close()
        try f.addOwners([3, 4])   // in the WAL only from here on
        let cache = try f.subs(shards: 2)
        for o in Int64(1)...4 {
            for u in Int64(1)...3 { try await cache.put(owner: o, user: u, value: Sub(date: u)) }
        }
        _ = try await cache.snapshot()

        // The crashed machine's disk: the main database file without its -wal, and the snapshots.
        let crashed = try TempDirectory()
        defer { crashed.remove() }
        try FileManager.default.copyItem(atPath: f.databasePath, toPath: crashed.file("db.sqlite"))
        try FileManager.default.copyItem(atPath: f.snapshots, toPath: crashed.file("snapshots"))
        let store = try Store(path: crashed.file("db.sqlite"), migrations: testMigrations)
        defer { store.close() }
        let log = LogLines()
        var table = SubsTable()
        table.checksOwners = true
        let restarted = try WriteBehindCache(table: table, store: store, shardCount: 2,
                                             snapshotDirectory: crashed.file("snapshots"), reserveBytes: 0, log: log.append)
        let report = restarted.loadReport
        XCTAssertEqual(report.entriesRead, 12)
        XCTAssertEqual(report.entriesDropped, 6)
        XCTAssertEqual(report.missingOwners, 2)
        XCTAssertEqual(report.missingUsers, 0)
        XCTAssertEqual(report.entriesReplayed, 6)
        let lines = log.all.filter { $0.contains("the database does not have") }
        XCTAssertEqual(lines, ["write-behind subs: 6 snapshot entries name 2 owners the database does not have "
                                  + "(deleted, or lost with its -wal file after a crash); they are dropped"])
        let kept = try await restarted.value(owner: 2, user: 3)
        XCTAssertEqual(kept, Sub(date: 3))
        let flushed = try await restarted.flush()
        XCTAssertEqual(flushed.rows, 6)
        XCTAssertEqual(flushed.rejected, 0, "nothing left to fail one by one")
        XCTAssertFalse(log.all.contains { $0.contains("dropped (owner") }, log.all.joined(separator: "\n"))
    }

    func testTablesThatDoNotCheckReplayEverything() async throws {
        let f = try Fixture()
        let cache = try f.subs(shards: 1)
        try await cache.put(owner: 7, user: 1, value: Sub(date: 1))
        _ = try await cache.snapshot()
        let restarted = try f.subs(shards: 1)
        XCTAssertEqual(restarted.loadReport, SnapshotLoadReport(entriesRead: 1, entriesReplayed: 1))
    }

    func testExistingRowsAnswersInOneQueryForManyIDs() throws {
        let f = try Fixture()
        try f.addOwners(stride(from: Int64(2), through: 2000, by: 2))
        let found = try f.store.read { try ExistingRows.ids($0, table: "owners", among: Array(Int64(1)...2001)) }
        XCTAssertEqual(found.count, 1000)
        XCTAssertTrue(found.allSatisfy { $0 % 2 == 0 })
        XCTAssertEqual(try f.store.read { try ExistingRows.ids($0, table: "owners", among: []) }, [])
    }
}
