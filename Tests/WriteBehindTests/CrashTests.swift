import Platform
import Foundation
import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// The crash test: a child process (this test binary re-executed in worker mode) writes through a votes
/// cache with fast flush and snapshot timers and is killed with SIGKILL at a random moment; the parent
/// then restarts the cache on the same files and checks the recovered state against the model.
final class CrashTests: XCTestCase {
    static let dirVariable = "TSUNA_WB_CRASH_DIR"
    static let cycleVariable = "TSUNA_WB_CRASH_CYCLE"

    func testKilledWriterRecoversEverythingAcknowledgedBeforeItsLastSnapshot() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        var baseline: [Pair: Vote] = [:]
        var rng = SeededRandom(seed: 99)
        for cycle in 1...4 {
            let progress = dir.file("progress-\(cycle).log")
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = ["WriteBehindTests.CrashTests/testCrashWorker"]
            var env = ProcessInfo.processInfo.environment
            env[Self.dirVariable] = dir.path
            env[Self.cycleVariable] = String(cycle)
            child.environment = env
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // Wait (bounded) until the child has completed a snapshot, then let it run a random while.
            var started = false
            for _ in 0..<2000 where !started {
                usleep(10_000)
                started = Self.readProgress(progress).snapshot != nil || !child.isRunning
            }
            XCTAssertTrue(child.isRunning, "cycle \(cycle): the worker stopped on its own")
            usleep(UInt32.random(in: 20_000...400_000, using: &rng))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal)

            let (snapshotAt, acknowledged) = Self.readProgress(progress)
            let k = try XCTUnwrap(snapshotAt, "cycle \(cycle): no completed snapshot reported")
            // Allowed values per key: its state at any moment from the snapshot to the last write that
            // may have run (the one after the last acknowledgement included).
            var state = baseline
            for i in 0..<k { CrashScript.step(cycle: cycle, index: i).apply(to: &state) }
            var allowed: [Pair: [Vote?]] = [:]
            for key in CrashScript.keys { allowed[key] = [state[key]] }
            for i in k...acknowledged {
                let step = CrashScript.step(cycle: cycle, index: i)
                step.apply(to: &state)
                allowed[step.key, default: []].append(state[step.key])
            }

            let recovered = try Self.recover(dir.path, shutdown: cycle == 4)
            for key in CrashScript.keys {
                let got = recovered.values[key]
                XCTAssertTrue(allowed[key]?.contains(got) ?? false,
                              "cycle \(cycle) \(key): recovered \(String(describing: got)), allowed \(allowed[key] ?? [])")
            }
            for o in 0..<CrashScript.owners {
                let present = recovered.values.filter { $0.key.owner == o }.map(\.value)
                XCTAssertEqual(recovered.counts[o], [present.filter { $0.choice == 0 }.count,
                                                     present.filter { $0.choice == 1 }.count],
                               "cycle \(cycle): counts equal the rows of owner \(o)")
            }
            baseline = recovered.values
        }
        let rows = try Self.storedRows(dir.path)
        XCTAssertEqual(rows.values, baseline, "after shutdown the database holds exactly the recovered state")
        XCTAssertEqual(rows.total, baseline.count, "nothing duplicated")
        XCTAssertEqual(dir.listing("snapshots").filter { $0.hasSuffix(".snapshot") }, [], "shutdown removed the snapshots")
        XCTAssertEqual(dir.listing("snapshots"), ["votes.reserve"], "the reserve stays for the next start")
    }

    /// The worker half: runs only as the child of the test above.
    func testCrashWorker() async throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.dirVariable],
              let cycle = ProcessInfo.processInfo.environment[Self.cycleVariable].flatMap(Int.init) else {
            throw XCTSkip("runs only as the crash test's child process")
        }
        let progress = open(dir + "/progress-\(cycle).log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard progress >= 0 else { return XCTFail("cannot open the progress file") }
        func report(_ line: String) {
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(progress, $0.baseAddress, $0.count) }
        }
        let store = try Store(path: dir + "/db.sqlite", migrations: testMigrations)
        let cache = try WriteBehindCache(table: VotesTable(), store: store, shardCount: 4,
                                         snapshotDirectory: dir + "/snapshots", flushBatchSize: 16)
        cache.startTimers(flushInterval: 0.02, snapshotInterval: 0.015, log: { _ in })
        let deadline = Date().addingTimeInterval(60)
        for i in 0..<2_000_000 where Date() < deadline {
            try await CrashScript.step(cycle: cycle, index: i).perform(on: cache)
            report("A \(i + 1)")
            if i % 200 == 199 {
                _ = try await cache.snapshot()
                report("S \(i + 1)")
            }
        }
    }

    // MARK: - Helpers

    /// The last completed snapshot (ops before it were acknowledged first) and the acknowledged count.
    static func readProgress(_ path: String) -> (snapshot: Int?, acknowledged: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (nil, 0) }
        var snapshot: Int?
        var acknowledged = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let n = Int(parts[1]) else { continue }
            if parts[0] == "S" { snapshot = n }
            if parts[0] == "A" { acknowledged = n }
        }
        return (snapshot, acknowledged)
    }

    /// Restarts the cache on the files: the merged values of every key and the counts of every owner.
    /// With `shutdown`, flushes everything and removes the snapshots afterwards.
    static func recover(_ dir: String, shutdown: Bool) throws -> (values: [Pair: Vote], counts: [Int64: [Int]]) {
        let store = try Store(path: dir + "/db.sqlite", migrations: testMigrations)
        defer { store.close() }
        let cache = try WriteBehindCache(table: VotesTable(), store: store, shardCount: 4,
                                         snapshotDirectory: dir + "/snapshots")
        return try runBlocking {
            var values: [Pair: Vote] = [:]
            var counts: [Int64: [Int]] = [:]
            for key in CrashScript.keys {
                values[key] = try await cache.value(owner: key.owner, user: key.user)
            }
            for o in 0..<CrashScript.owners { counts[o] = try await cache.counts(owner: o) }
            if shutdown { try await cache.shutdown() }
            return (values, counts)
        }
    }

    static func storedRows(_ dir: String) throws -> (values: [Pair: Vote], total: Int) {
        let store = try Store(path: dir + "/db.sqlite", migrations: testMigrations)
        defer { store.close() }
        var values: [Pair: Vote] = [:]
        var total = 0
        try store.read { c in
            try c.forEach("SELECT owner, user, choice, date FROM votes") {
                values[Pair($0.int64(0), $0.int64(1))] = Vote(choice: UInt8(truncatingIfNeeded: $0.int(2)), date: $0.int64(3))
                total += 1
            }
        }
        return (values, total)
    }
}

/// The worker's deterministic script: step i of a cycle is the same in the child and in the parent's model.
enum CrashScript {
    static let owners: Int64 = 6
    static let users: Int64 = 40
    static let keys: [Pair] = (0..<owners).flatMap { o in (0..<users).map { Pair(o, $0) } }

    enum Step {
        case put(Pair, Vote)
        case insert(Pair, Vote)
        case remove(Pair)

        var key: Pair {
            switch self {
            case let .put(k, _), let .insert(k, _), let .remove(k): return k
            }
        }

        func apply(to state: inout [Pair: Vote]) {
            switch self {
            case let .put(k, v): state[k] = v
            case let .insert(k, v): if state[k] == nil { state[k] = v }
            case let .remove(k): state[k] = nil
            }
        }

        func perform(on cache: WriteBehindCache<VotesTable>) async throws {
            switch self {
            case let .put(k, v): try await cache.put(owner: k.owner, user: k.user, value: v)
            case let .insert(k, v): _ = try await cache.insertIfAbsent(owner: k.owner, user: k.user, value: v)
            case let .remove(k): try await cache.remove(owner: k.owner, user: k.user)
            }
        }
    }

    static func step(cycle: Int, index: Int) -> Step {
        var rng = SeededRandom(seed: UInt64(cycle) << 40 ^ UInt64(index) &* 0x9E37_79B9)
        let key = Pair(Int64(rng.next() % UInt64(owners)), Int64(rng.next() % UInt64(users)))
        let vote = Vote(choice: UInt8(rng.next() % 2), date: Int64(cycle) * 10_000_000 + Int64(index))
        switch rng.next() % 5 {
        case 0, 1: return .put(key, vote)
        case 2: return .insert(key, vote)
        default: return .remove(key)
        }
    }
}

/// Runs async work from a synchronous test and waits for it (off the cooperative pool's threads).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = ResultSlot<T>()
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

/// The outcome a task hands to the thread waiting for it.
final class ResultSlot<T: Sendable>: Sendable {
    private let result = Locked<Result<T, Error>?>(nil)
    func set(_ r: Result<T, Error>) { result.withLock { $0 = r } }
    func get() throws -> T {
        guard let r = result.withLock({ $0 }) else { throw CancellationError() }
        return try r.get()
    }
}
