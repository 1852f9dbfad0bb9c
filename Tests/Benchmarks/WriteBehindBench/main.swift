// The write-behind benchmark: the five figures of issue 5, in-process, on a real SQLite file.
// Usage: swift build -c release --product WriteBehindBench && .build/release/WriteBehindBench [entries]
import Foundation
import Store
import WriteBehind

let entries = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let usersPerOwner = 100
let owners = max(1, entries / usersPerOwner)
let cores = ProcessInfo.processInfo.activeProcessorCount
let shardCount = WriteBehindCache<VotesTable>.defaultShardCount
let writerTasks = 8

func now() -> ContinuousClock.Instant { ContinuousClock.now }
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// Resident memory in bytes (/proc/self/statm).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// Latency percentiles in microseconds.
func percentiles(_ samples: [Double]) -> String {
    guard !samples.isEmpty else { return "no samples" }
    let s = samples.sorted()
    func p(_ q: Double) -> Double { s[min(s.count - 1, Int(Double(s.count) * q))] * 1e6 }
    return String(format: "p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d reads)", p(0.5), p(0.99), s[s.count - 1] * 1e6, s.count)
}

/// Concurrent `put`s of keys [from, to): owner = i / usersPerOwner, spread over `writerTasks` tasks.
func write(_ cache: WriteBehindCache<VotesTable>, from: Int, to: Int, ownerBase: Int64) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for t in 0..<writerTasks {
            group.addTask {
                var i = from + t
                while i < to {
                    let owner = ownerBase + Int64(i / usersPerOwner)
                    let user = Int64(i % usersPerOwner)
                    try await cache.put(owner: owner, user: user, value: Vote(choice: UInt8(i & 1), date: Int64(i)))
                    i += writerTasks
                }
            }
        }
        try await group.waitForAll()
    }
}

/// Reads random keys until `stop` says so; returns each read's latency in seconds.
func readLoop(_ cache: WriteBehindCache<VotesTable>, stop: @escaping @Sendable () -> Bool) async throws -> [Double] {
    var latencies: [Double] = []
    var rng = SystemRandomNumberGenerator()
    while !stop() {
        let i = Int.random(in: 0..<entries, using: &rng)
        let start = now()
        _ = try await cache.value(owner: Int64(i / usersPerOwner), user: Int64(i % usersPerOwner))
        latencies.append(seconds(now() - start))
        try await Task.sleep(nanoseconds: 200_000)
    }
    return latencies
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

func run() async throws {
    let dir = NSTemporaryDirectory() + "wb-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try Store(path: dir + "/bench.sqlite", migrations: VotesTable.migrations)
    defer { store.close() }
    if ProcessInfo.processInfo.environment["WB_BENCH_RAW"] != nil {
        // Reference: the same rows straight through Store, 10 000 per transaction.
        let start = now()
        var i = 0
        while i < entries {
            let from = i
            try await store.write { c in
                for j in from..<min(from + 10_000, entries) {
                    try c.run("INSERT OR REPLACE INTO votes (owner, user, choice, date) VALUES (?, ?, ?, ?)",
                              [.integer(Int64(j / usersPerOwner)), .integer(Int64(j % usersPerOwner)), .integer(Int64(j & 1)), .integer(Int64(j))])
                }
            }
            i += 10_000
        }
        print(String(format: "raw Store inserts: %.0f rows/s", Double(entries) / seconds(now() - start)))
        return
    }
    print("write-behind benchmark: \(entries) entries (\(owners) owners × \(usersPerOwner) users), "
          + "\(shardCount) shards, \(writerTasks) writer tasks, \(cores) cores")

    // 1. Acknowledged writes per second, and memory per pending entry.
    let rssBefore = residentBytes()
    let cache = try WriteBehindCache(table: VotesTable(), store: store, shardCount: shardCount,
                                     snapshotDirectory: dir + "/snapshots")
    var start = now()
    try await write(cache, from: 0, to: entries, ownerBase: 0)
    let writeTime = seconds(now() - start)
    let rssAfter = residentBytes()
    print(String(format: "writes:   %.0f acknowledged puts/s (%d in %.3f s; first write per owner reads its counts)",
                 Double(entries) / writeTime, entries, writeTime))
    print(String(format: "memory:   %.1f bytes per pending entry (RSS %+.1f MB)",
                 Double(rssAfter - rssBefore) / Double(entries), Double(rssAfter - rssBefore) / 1e6))
    let updates = min(entries, 200_000)
    start = now()
    try await write(cache, from: 0, to: updates, ownerBase: 0)   // same keys, new values: the pending path
    let updateTime = seconds(now() - start)
    print(String(format: "          %.0f puts/s replacing pending entries", Double(updates) / updateTime))

    if ProcessInfo.processInfo.environment["WB_BENCH_WRITES_ONLY"] != nil { return }
    if ProcessInfo.processInfo.environment["WB_BENCH_FLUSH_ONLY"] != nil {
        let t = now()
        let r = try await cache.flush()
        print(String(format: "flush only: %.0f rows/s (%.3f s)", Double(r.rows) / seconds(now() - t), seconds(now() - t)))
        return
    }
    // 2–4. Snapshot and flush of everything, with a reader measuring latency meanwhile.
    let idleStop = Flag()
    let idleReader = Task { try await readLoop(cache, stop: { idleStop.isSet }) }
    try await Task.sleep(nanoseconds: 300_000_000)
    idleStop.set()
    let idle = try await idleReader.value

    let stopSnapshot = Flag()
    let snapshotReader = Task { try await readLoop(cache, stop: { stopSnapshot.isSet }) }
    let snap = try await cache.snapshot()
    stopSnapshot.set()
    let duringSnapshot = try await snapshotReader.value
    print(String(format: "snapshot: %.3f s for %d entries (%.1f MB in %d files, fsynced)",
                 snap.duration, snap.entries, Double(snap.bytes) / 1e6, snap.filesWritten))

    let stopFlush = Flag()
    let flushReader = Task { try await readLoop(cache, stop: { stopFlush.isSet }) }
    let flush = try await cache.flush()
    stopFlush.set()
    let duringFlush = try await flushReader.value
    print(String(format: "flush:    %.0f rows/s (%d rows in %.3f s, batches of 10 000)",
                 Double(flush.rows) / flush.duration, flush.rows, flush.duration))
    print("reads:    idle             " + percentiles(idle))
    print("          during snapshot  " + percentiles(duringSnapshot))
    print("          during flush     " + percentiles(duringFlush))

    // 5. Writes whose key is not pending and whose owner has stored rows: each costs a database read.
    let fresh = min(entries, 100_000)
    start = now()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for t in 0..<writerTasks {
            group.addTask {
                var i = t
                while i < fresh {
                    let owner = Int64(i / usersPerOwner)
                    try await cache.put(owner: owner, user: Int64(usersPerOwner + i % usersPerOwner),
                                        value: Vote(choice: 0, date: Int64(i)))
                    i += writerTasks
                }
            }
        }
        try await group.waitForAll()
    }
    let freshTime = seconds(now() - start)
    print(String(format: "          %.0f puts/s for new keys of owners with stored rows (one point read each)",
                 Double(fresh) / freshTime))
    try await cache.shutdown()
}

let done = DispatchSemaphore(value: 0)
Task {
    do { try await run() } catch { print("benchmark failed: \(error)") }
    done.signal()
}
done.wait()
