import Foundation
import Store
import XCTest
@testable import WriteBehind

final class SnapshotTests: XCTestCase {
    /// Writes pending entries of `subs`, snapshots them, and returns the fixture (the "crashed" process
    /// simply drops its cache without flushing).
    private func crashedWithSnapshot(shards: Int = 4) async throws -> Fixture {
        let f = try Fixture()
        try f.storeSubs([(1, 1, 1), (1, 2, 1), (2, 1, 1)])
        let cache = try f.subs(shards: shards)
        try await cache.put(owner: 1, user: 3, value: Sub(date: 3))
        try await cache.put(owner: 1, user: 1, value: Sub(date: 9))
        _ = try await cache.remove(owner: 1, user: 2)
        for u in Int64(10)..<60 { try await cache.put(owner: Int64(u % 7), user: u, value: Sub(date: u)) }
        let report = try await cache.snapshot()
        XCTAssertGreaterThan(report.filesWritten, 0)
        XCTAssertEqual(report.entries, 53)
        return f
    }

    func testSnapshotRestoresPendingWritesAfterACrash() async throws {
        let f = try await crashedWithSnapshot()
        let cache = try f.subs()
        let v13 = try await cache.value(owner: 1, user: 3)
        XCTAssertEqual(v13, Sub(date: 3))
        let v11 = try await cache.value(owner: 1, user: 1)
        XCTAssertEqual(v11, Sub(date: 9))
        let v12 = try await cache.contains(owner: 1, user: 2)
        XCTAssertFalse(v12, "the pending delete still hides the stored row")
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 53)
        try f.addOwners(0...6)
        _ = try await cache.flush()
        let stored = try f.storedSubs()
        XCTAssertEqual(stored[1]?[1], 9)
        XCTAssertNil(stored[1]?[2])
        XCTAssertEqual(stored.values.map(\.count).reduce(0, +), 3 - 1 + 1 + 50)
        let count = try await cache.count(owner: 1)
        XCTAssertEqual(count, stored[1]?.count)
    }

    func testAStaleSnapshotNeverResurrectsAFlushedDelete() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let cache = try f.subs(shards: 1)
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        _ = try await cache.snapshot()
        let file = f.snapshots + "/subs-0.snapshot"
        let stale = try Data(contentsOf: URL(fileURLWithPath: file))
        _ = try await cache.flush()
        _ = try await cache.remove(owner: 1, user: 1)
        _ = try await cache.flush()
        XCTAssertEqual(try f.storedSubs()[1], nil)
        // Crash before the next snapshot replaced the old file.
        try stale.write(to: URL(fileURLWithPath: file))
        let restarted = try f.subs(shards: 1)
        let resurrected = try await restarted.contains(owner: 1, user: 1)
        XCTAssertFalse(resurrected)
        let stats = await restarted.stats()
        XCTAssertEqual(stats.pendingEntries, 0, "entries at or below flushed_seq are skipped")
    }

    func testAFlushedShardRewritesThenRemovesItsFile() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let cache = try f.subs(shards: 1)
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        _ = try await cache.snapshot()
        XCTAssertEqual(f.dir.listing("snapshots"), ["subs-0.snapshot"])
        let clean = try await cache.snapshot()
        XCTAssertEqual(clean.filesWritten + clean.filesRemoved, 0, "a clean shard is not rewritten")
        _ = try await cache.flush()
        let emptied = try await cache.snapshot()
        XCTAssertEqual(emptied.filesRemoved, 1)
        XCTAssertEqual(f.dir.listing("snapshots"), [])
    }

    func testShutdownFlushesEverythingRemovesSnapshotsAndRefusesWrites() async throws {
        let f = try Fixture()
        try f.addOwners(1...3)
        let cache = try f.subs()
        for o in Int64(1)...3 { try await cache.put(owner: o, user: 1, value: Sub(date: o)) }
        _ = try await cache.snapshot()
        XCTAssertFalse(f.dir.listing("snapshots").isEmpty)
        try await cache.put(owner: 1, user: 2, value: Sub(date: 5))   // after the last snapshot
        try await cache.shutdown()
        XCTAssertEqual(f.dir.listing("snapshots"), [])
        XCTAssertEqual(try f.storedSubs(), [1: [1: 1, 2: 5], 2: [1: 2], 3: [1: 3]])
        do {
            try await cache.put(owner: 1, user: 3, value: Sub(date: 1))
            XCTFail("writes after shutdown must be refused")
        } catch let e as WriteBehindError {
            XCTAssertEqual(e, .closed(cache: "subs"))
        }
        let read = try await cache.value(owner: 1, user: 2)
        XCTAssertEqual(read, Sub(date: 5), "reads still work")
    }

    func testShutdownThatCannotFlushKeepsASnapshot() async throws {
        let f = try Fixture()
        try f.addOwners([1])
        let table = SubsTable()
        let cache = try f.subs(shards: 1, table: table)
        cache.startTimers(flushInterval: 3600, snapshotInterval: 3600, log: { _ in })
        try await cache.put(owner: 1, user: 1, value: Sub(date: 1))
        table.hooks.failWrites.withLock { $0 = true }
        do {
            try await cache.shutdown()
            XCTFail("shutdown should report the failed flush")
        } catch {}
        XCTAssertEqual(f.dir.listing("snapshots"), ["subs-0.snapshot"])
        let restarted = try f.subs(shards: 1)
        let kept = try await restarted.value(owner: 1, user: 1)
        XCTAssertEqual(kept, Sub(date: 1))
    }

    func testChangedShardCountAppliesSnapshotsToTheDatabase() async throws {
        let f = try await crashedWithSnapshot(shards: 4)
        try f.addOwners(0...6)
        let cache = try f.subs(shards: 3)
        XCTAssertEqual(f.dir.listing("snapshots"), [], "old-layout files are applied and removed")
        let stored = try f.storedSubs()
        XCTAssertEqual(stored[1]?[1], 9)
        XCTAssertNil(stored[1]?[2])
        XCTAssertEqual(stored[1]?[3], 3)
        XCTAssertEqual(stored.values.map(\.count).reduce(0, +), 53)
        let seqs = try f.flushedSeq("subs")
        XCTAssertEqual(Set(seqs.keys), [0, 1, 2, 3])
        // New writes get sequence numbers above every old one, and survive a restart with the new layout.
        try await cache.put(owner: 1, user: 4, value: Sub(date: 4))
        _ = try await cache.snapshot()
        let again = try f.subs(shards: 3)
        let v = try await again.value(owner: 1, user: 4)
        XCTAssertEqual(v, Sub(date: 4))
    }

    func testLeftoverTemporaryFilesAreRemovedAndOtherFilesIgnored() async throws {
        let f = try Fixture()
        try FileManager.default.createDirectory(atPath: f.snapshots, withIntermediateDirectories: true)
        for name in ["subs-0.snapshot.tmp", "subs-x.snapshot", "subsidiary-0.snapshot", "votes-0.txt"] {
            _ = FileManager.default.createFile(atPath: f.snapshots + "/" + name, contents: Data([1, 2, 3]))
        }
        _ = try f.subs()
        XCTAssertEqual(f.dir.listing("snapshots"), ["subs-x.snapshot", "subsidiary-0.snapshot", "votes-0.txt"])
    }

    // MARK: - Rejected files

    private func validSnapshot() async throws -> (Fixture, String, [UInt8]) {
        let f = try Fixture()
        let cache = try f.subs(shards: 1)
        for u in Int64(1)...20 { try await cache.put(owner: 1, user: u, value: Sub(date: u)) }
        _ = try await cache.remove(owner: 1, user: 5)
        _ = try await cache.snapshot()
        let path = f.snapshots + "/subs-0.snapshot"
        return (f, path, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    private func assertRejected(_ bytes: [UInt8], _ fragments: [String], line: UInt = #line) async throws {
        let (f, path, _) = try await validSnapshot()
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        assertThrowsMessage(try f.subs(shards: 1), contains: [path] + fragments, line: line)
        XCTAssertEqual(try f.storedSubs(), [:], "nothing half-loaded or applied", line: line)
    }

    func testCorruptAndTruncatedSnapshotsAreRejectedWithAClearMessage() async throws {
        let (_, _, good) = try await validSnapshot()
        var flipped = good
        flipped[60] ^= 0x40
        try await assertRejected(flipped, ["checksum mismatch"])
        try await assertRejected(Array(good.dropLast(5)), ["truncated"])
        try await assertRejected(Array(good.prefix(30)), ["truncated"])
        try await assertRejected([], ["truncated"])
        try await assertRejected(good + [0], ["unexpected bytes"])
        var magic = good
        magic[0] = UInt8(ascii: "X")
        try await assertRejected(magic, ["bad magic"])
        var version = good
        version[4] = 9
        try await assertRejected(version, ["unsupported format version 9"])
    }

    func testStructurallyBadContentIsRejectedEvenWithAValidChecksum() async throws {
        // Re-sign altered bytes so only the structural checks can catch them.
        func resigned(_ body: [UInt8]) -> [UInt8] {
            var b = Array(body.dropLast(8))
            b.appendLittleEndian(XXHash64.hash(b, 0..<b.count))
            return b
        }
        let (_, _, good) = try await validSnapshot()
        var badOp = good
        badOp[40] = 7
        try await assertRejected(resigned(badOp), ["entry 0 has unknown operation 7"])
        var badShard = good
        badShard[8] = 3   // shard index 3 of a count of 1
        try await assertRejected(resigned(badShard), ["shard index 3"])
        var badValue = good
        badValue[40 + 25] = 3   // value length 8 → 3: the value no longer decodes
        try await assertRejected(resigned(badValue), ["does not decode"])
        var duplicate = good
        // Give entry 1 the key of entry 0.
        let entrySize = 27 + 8
        for i in 1..<17 { duplicate[40 + entrySize + i] = good[40 + i] }
        try await assertRejected(resigned(duplicate), ["twice"])
    }

    func testXXHash64MatchesReferenceVectors() {
        // Reference values from libxxhash (XXH64, seed 0).
        func h(_ b: [UInt8]) -> UInt64 { XXHash64.hash(b, 0..<b.count) }
        XCTAssertEqual(h([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(h(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(h(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        XCTAssertEqual(h(Array("Nobody inspects the spammish repetition".utf8)), 0xFBCE_A83C_8A37_8BF1)
        let long = Array((0..<768).map { UInt8($0 % 256) }) + Array("xyz1234".utf8)
        XCTAssertEqual(h(long), 0x559E_A82A_FE8F_46C9)
    }

    func testSnapshotReaderNeverReadsPastTheEnd() {
        var r = SnapshotReader([1, 2, 3])
        XCTAssertEqual(r.readUInt16(), 0x0201)
        XCTAssertNil(r.readUInt16())
        XCTAssertNil(r.readBytes(2))
        XCTAssertNil(r.readBytes(-1))
        XCTAssertEqual(r.readUInt8(), 3)
        XCTAssertNil(r.readUInt8())
        XCTAssertNil(r.readInt64())
        XCTAssertEqual(r.remaining, 0)
    }
}
