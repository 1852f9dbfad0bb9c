import Platform
import Foundation
import XCTest
import TestSupport
@testable import Store
import Synchronization

final class StoreTests: XCTestCase {
    var dir: TemporaryDirectory!
    var store: Store!

    static let schema = [
        Migration(version: 1, name: "items", sql: """
            CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE kid(id INTEGER PRIMARY KEY,
                             p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """),
    ]

    override func setUpWithError() throws {
        dir = try TemporaryDirectory()
        store = try Store(path: dir.file("store.sqlite"), migrations: Self.schema, maxReaders: 2)
    }

    override func tearDown() {
        store?.close()
        store = nil
        dir?.remove()
    }

    private func count(_ table: String = "items") throws -> Int {
        try store.read { try $0.queryOne("SELECT count(*) FROM \(table)") { $0.int(0) } ?? -1 }
    }

    func testWriteSyncAndReadRoundTrip() throws {
        let id = try store.writeSync { c -> Int64 in
            try c.run("INSERT INTO items(name, n) VALUES (?, ?)", ["a", 1])
            return c.lastInsertRowID
        }
        XCTAssertEqual(id, 1)
        XCTAssertEqual(try store.read { try $0.queryOne("SELECT name FROM items WHERE id = ?", [.integer(id)]) { $0.string(0) } }, "a")
        struct Boom: Error {}
        XCTAssertThrowsError(try store.writeSync { c in
            try c.run("INSERT INTO items(name) VALUES ('rolled back')")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try count(), 1)
    }

    func testConcurrentAsyncWritesAllLand() async throws {
        let store = self.store!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<50 {
                group.addTask {
                    for i in 0..<20 {
                        try await store.write { c in
                            try c.run("INSERT INTO items(name, n) VALUES (?, ?)", [.text("t\(t)-\(i)"), SQLValue(i)])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try count(), 1000)
        XCTAssertEqual(try store.read { try $0.queryOne("SELECT count(DISTINCT name) FROM items") { $0.int(0) } }, 1000)
    }

    func testAsyncWriteReturnsValuesAndErrors() async throws {
        let id = try await store.write { c -> Int64 in
            try c.run("INSERT INTO items(name) VALUES ('x')")
            return c.lastInsertRowID
        }
        XCTAssertEqual(id, 1)
        do {
            try await store.write { try $0.run("INSERT INTO items(name) VALUES ('x')") }
            XCTFail("duplicate name should throw")
        } catch let e as StoreError {
            XCTAssertTrue(e.isConstraintViolation)
        }
        XCTAssertEqual(try count(), 1)
    }

    /// Waits for `condition`, yielding; bounded (60 s) so a lost wake-up fails the test instead of hanging
    /// the suite.
    private func waitUntil(_ condition: () -> Bool) async {
        let deadline = Date().addingTimeInterval(60)
        while !condition() && Date() < deadline { await Task.yield() }
    }

    /// Holds the writer thread inside a job until `expected` more jobs are queued, so those run as one
    /// batch. Returns once the job is running (so later jobs cannot join its batch).
    private func blockWriter(until expected: Int) async -> Task<Void, Error> {
        let store = self.store!
        let running = Flag()
        let task = Task {
            try await store.write { _ in
                running.set()
                var spins = 0
                while store.writer.queuedJobCount < expected && spins < 60_000 { usleep(1000); spins += 1 }
            }
        }
        await waitUntil { running.isSet }
        return task
    }

    func testOneFailingJobInABatchRollsBackAlone() async throws {
        let store = self.store!
        try store.writeSync { try $0.run("INSERT INTO items(name) VALUES ('taken')") }
        let blocker = await blockWriter(until: 5)
        var outcomes: [Task<Int, Error>] = []
        for i in 0..<5 {
            outcomes.append(Task {
                try await store.write { c -> Int in
                    XCTAssertEqual(c.transactionDepth, 2)   // inside the batch's SAVEPOINT
                    try c.run("INSERT INTO items(name) VALUES (?)", [.text("job\(i)")])
                    // Job 2 writes a row, then fails: its own row must vanish with it.
                    if i == 2 { try c.run("INSERT INTO items(name) VALUES ('taken')") }
                    return i
                }
            })
            await waitUntil { store.writer.queuedJobCount >= min(i + 1, 5) }
        }
        try await blocker.value
        for (i, t) in outcomes.enumerated() {
            do {
                let got = try await t.value
                XCTAssertEqual(got, i)
                XCTAssertNotEqual(i, 2)
            } catch let e as StoreError {
                XCTAssertEqual(i, 2)
                XCTAssertTrue(e.isConstraintViolation)
            }
        }
        let names = try store.read { try $0.query("SELECT name FROM items ORDER BY name") { $0.string(0) } }
        XCTAssertEqual(names, ["job0", "job1", "job3", "job4", "taken"])
    }

    func testFailedBatchCommitFailsEveryJob() async throws {
        let store = self.store!
        let blocker = await blockWriter(until: 3)
        var jobs: [Task<Void, Error>] = []
        for i in 0..<3 {
            jobs.append(Task {
                try await store.write { c in
                    try c.run("INSERT INTO items(name) VALUES (?)", [.text("j\(i)")])
                    // A deferred foreign key: only the COMMIT notices the missing parent.
                    if i == 1 { try c.run("INSERT INTO kid(p) VALUES (42)") }
                }
            })
            await waitUntil { store.writer.queuedJobCount >= min(i + 1, 3) }
        }
        try await blocker.value
        for t in jobs {
            do {
                try await t.value
                XCTFail("every job of a batch whose COMMIT failed must fail")
            } catch let e as StoreError {
                XCTAssertTrue(e.isConstraintViolation)
            }
        }
        XCTAssertEqual(try count(), 0)
        try store.writeSync { try $0.run("INSERT INTO items(name) VALUES ('after')") }   // writer still healthy
        XCTAssertEqual(try count(), 1)
    }

    func testNestedWritesJoinTheOuterTransaction() async throws {
        struct Boom: Error {}
        let store = self.store!
        try store.writeSync { c in
            try c.run("INSERT INTO items(name) VALUES ('outer')")
            try store.writeSync { try $0.run("INSERT INTO items(name) VALUES ('inner')") }
            XCTAssertThrowsError(try store.writeSync { c2 -> Void in
                try c2.run("INSERT INTO items(name) VALUES ('inner failed')")
                throw Boom()
            })
        }
        XCTAssertEqual(try store.read { try $0.query("SELECT name FROM items ORDER BY id") { $0.string(0) } },
                       ["outer", "inner"])
    }

    func testCommitFromAnotherConnectionIsSeenAtOnce() throws {
        XCTAssertEqual(try count(), 0)   // the pooled reader has read the file already
        let other = try Connection(path: store.path)
        defer { other.close() }
        try other.run("INSERT INTO items(name) VALUES ('from elsewhere')")
        XCTAssertEqual(try count(), 1)
        try other.transaction {
            try other.run("INSERT INTO items(name) VALUES ('second')")
            XCTAssertEqual(try count(), 1)   // not yet committed
        }
        XCTAssertEqual(try count(), 2)
    }

    func testCommitFromAnotherProcessIsSeenAtOnce() throws {
        guard let python = findExecutable("python3") else { throw XCTSkip("python3 is not installed") }
        XCTAssertEqual(try count(), 0)
        let (status, output) = try runPython(python, """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=5)
            c.execute("INSERT INTO items(name) VALUES ('from python')")
            c.commit()
            print("done")
            """)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(try store.read { try $0.query("SELECT name FROM items") { $0.string(0) } }, ["from python"])
    }

    func testWriterWaitsOutAnotherProcessHoldingTheWriteLock() throws {
        guard let python = findExecutable("python3") else { throw XCTSkip("python3 is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO items(name) VALUES ('python')")
            print("locked", flush=True)
            time.sleep(0.3)
            c.execute("COMMIT")
            """, store.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = out.fileHandleForReading.readData(ofLength: 7)   // "locked\n"
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "locked\n")
        try store.writeSync { try $0.run("INSERT INTO items(name) VALUES ('swift')") }   // waits, then lands
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try count(), 2)
    }

    func testBusyBeyondTheTimeoutThrowsInsteadOfTrapping() throws {
        let path = dir.file("busy.sqlite")
        let impatient = try Store(path: path, migrations: Self.schema, busyTimeoutMilliseconds: 20)
        defer { impatient.close() }
        let holder = try Connection(path: path)
        defer { holder.close() }
        try holder.execute("BEGIN IMMEDIATE")
        assertStoreError(try impatient.writeSync { try $0.run("INSERT INTO items(name) VALUES ('x')") }) {
            XCTAssertTrue($0.isBusy)
        }
        try holder.execute("COMMIT")
        try impatient.writeSync { try $0.run("INSERT INTO items(name) VALUES ('x')") }
        XCTAssertEqual(try impatient.read { try $0.queryOne("SELECT count(*) FROM items") { $0.int(0) } }, 1)
    }

    /// A shutdown under a deadline stops a write that waits for another process's lock.
    func testStopWaitingForLocksEndsAWaitingWriteAtOnce() throws {
        let path = dir.file("locked.sqlite")
        let patient = try Store(path: path, migrations: Self.schema, busyTimeoutMilliseconds: 10_000)
        defer { patient.close() }
        let holder = try Connection(path: path)
        defer { holder.close() }
        try holder.execute("BEGIN IMMEDIATE")
        let started = ContinuousClock.now
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { patient.stopWaitingForLocks() }
        assertStoreError(try patient.writeSync { try $0.run("INSERT INTO items(name) VALUES ('x')") }) {
            XCTAssertTrue($0.isBusy)
        }
        let waited = ContinuousClock.now - started
        XCTAssertGreaterThan(waited, .milliseconds(250), "it did wait until told")
        XCTAssertLessThan(waited, .milliseconds(700), "and gave up within 100 ms of being told, not after 10 s")
        // From now on it does not wait at all; once the lock is free, writes land again.
        assertStoreError(try patient.writeSync { try $0.run("INSERT INTO items(name) VALUES ('y')") }) {
            XCTAssertTrue($0.isBusy)
        }
        try holder.execute("COMMIT")
        try patient.writeSync { try $0.run("INSERT INTO items(name) VALUES ('z')") }
        XCTAssertEqual(try patient.read { try $0.queryOne("SELECT count(*) FROM items") { $0.int(0) } }, 1)
    }

    func testReadersAreReadOnlyAndNeverWaitForThePool() throws {
        assertStoreError(try store.read { try $0.run("INSERT INTO items(name) VALUES ('no')") }) {
            XCTAssertEqual($0.code & 0xff, 8)   // SQLITE_READONLY
        }
        // Three nested reads with maxReaders 2: the third opens a temporary connection instead of waiting.
        let depth = try store.read { _ in try store.read { _ in try store.read { c in try c.queryOne("SELECT 3") { $0.int(0) } } } }
        XCTAssertEqual(depth, 3)
        XCTAssertEqual(store.openReaderCount, 2)
    }

    func testReaderLeftInATransactionDoesNotKeepAStaleSnapshot() throws {
        try store.read { c in
            try c.execute("BEGIN")
            _ = try c.queryOne("SELECT count(*) FROM items") { $0.int(0) }
        }
        try store.writeSync { try $0.run("INSERT INTO items(name) VALUES ('fresh')") }
        XCTAssertEqual(try count(), 1)
    }

    func testReadsFromManyThreads() throws {
        try store.writeSync { c in for i in 0..<100 { try c.run("INSERT INTO items(name, n) VALUES (?, ?)", [.text("r\(i)"), SQLValue(i)]) } }
        let store = self.store!
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            for _ in 0..<50 {
                let sum = try? store.read { try $0.queryOne("SELECT sum(n) FROM items") { $0.int(0) } }
                if sum != 4950 { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertLessThanOrEqual(store.openReaderCount, 2)
    }

    func testBackupIsAConsistentCopyWhileWritesContinue() async throws {
        let store = self.store!
        try store.writeSync { c in for i in 0..<500 { try c.run("INSERT INTO items(name) VALUES (?)", [.text("b\(i)")]) } }
        let writer = Task {
            for i in 0..<200 { try await store.write { try $0.run("INSERT INTO items(name) VALUES (?)", [.text("w\(i)")]) } }
        }
        let target = dir.file("backup.sqlite")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: target))   // overwritten
        try store.backup(to: target)
        try await writer.value
        let copy = try Connection(path: target, readOnly: true)
        defer { copy.close() }
        XCTAssertEqual(try copy.queryOne("PRAGMA integrity_check") { $0.string(0) }, "ok")
        let copied = try copy.queryOne("SELECT count(*) FROM items") { $0.int(0) } ?? -1
        XCTAssertTrue((500...700).contains(copied), "\(copied)")
        XCTAssertEqual(try copy.userVersion, 1)
        XCTAssertEqual(dir.listing().filter { $0.contains("partial") }, [])
    }

    func testCloseWaitsForQueuedWritesAndIsIdempotent() async throws {
        let store = self.store!
        // The first job closes the store from the writer thread once ten more jobs are queued behind it.
        let running = Flag()
        let first = Task {
            try await store.write { c in
                running.set()
                try c.run("INSERT INTO items(name) VALUES ('first')")
                var spins = 0
                while store.writer.queuedJobCount < 10 && spins < 60_000 { usleep(1000); spins += 1 }
                store.close()
            }
        }
        await waitUntil { running.isSet }
        var queued: [Task<Void, Error>] = []
        for i in 0..<10 {
            let task = Task<Void, Error> {
                _ = try await store.write { c -> Int in try c.run("INSERT INTO items(name) VALUES (?)", [.text("q\(i)")]) }
            }
            queued.append(task)
        }
        try await first.value
        for t in queued { try await t.value }
        store.close()
        store.close()
        assertStoreError(try store.read { _ in 0 }) { XCTAssertEqual($0.code, -1) }
        assertStoreError(try store.writeSync { _ in 0 }) { XCTAssertEqual($0.code, -1) }
        do {
            try await store.write { _ in }
            XCTFail("write after close must throw")
        } catch let e as StoreError {
            XCTAssertEqual(e.code, -1)
        }
        let check = try Connection(path: store.path, readOnly: true)
        defer { check.close() }
        XCTAssertEqual(try check.queryOne("SELECT count(*) FROM items") { $0.int(0) }, 11)
    }

    // MARK: helpers

    private func runPython(_ python: String, _ script: String) throws -> (Int32, String) {
        try runTool(python, ["-c", script, store.path])
    }
}

/// A thread-safe counter for assertions made from several threads.
final class LockedCounter: Sendable {
    private let n = Locked(0)
    func increment() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}

/// A thread-safe one-way switch.
final class Flag: Sendable {
    private let on = Atomic(false)
    func set() { on.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { on.load(ordering: .sequentiallyConsistent) }
}
