// The write-behind benchmark: the five figures of issue 5, in-process, on a real SQLite file.
//
//   swift build -c release --product WriteBehindBench && .build/release/WriteBehindBench [entries]
//
// Environment: WB_BENCH_TASKS=n sets the concurrent writer tasks (default 8); WB_BENCH_WRITES_ONLY=1 stops
// after the write figures, WB_BENCH_FLUSH_ONLY=1 flushes right after them (for profiling one phase);
// WB_BENCH_PAGES_ONLY=1 runs only the page figures.
import Foundation
import Store
import WriteBehind

let entries = CommandLine.arguments.count > 1 ? max(1000, Int(CommandLine.arguments[1]) ?? 1_000_000) : 1_000_000
let usersPerOwner = 100
let owners = max(1, entries / usersPerOwner)
let cores = ProcessInfo.processInfo.activeProcessorCount
let shardCount = WriteBehindCache<VotesTable>.defaultShardCount
let writerTasks = Int(ProcessInfo.processInfo.environment["WB_BENCH_TASKS"] ?? "") ?? 8
let environment = ProcessInfo.processInfo.environment

func run() async throws {
    let dir = NSTemporaryDirectory() + "wb-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    if environment["WB_BENCH_PAGES_ONLY"] != nil { return try await pageFigures(directory: dir) }
    let store = try Store(path: dir + "/bench.sqlite", migrations: VotesTable.migrations)
    defer { store.close() }
    print("write-behind benchmark: \(entries) entries (\(owners) owners × \(usersPerOwner) users), "
          + "\(shardCount) shards, \(writerTasks) writer tasks, \(cores) cores")

    // 1. Acknowledged writes per second, and memory per pending entry.
    let rssBefore = residentBytes()
    let cache = try WriteBehindCache(table: VotesTable(), store: store, shardCount: shardCount,
                                     snapshotDirectory: dir + "/snapshots")
    var start = now()
    try await putAll(cache, count: entries) { i in (Int64(i / usersPerOwner), Int64(i % usersPerOwner), Int64(i)) }
    let writeTime = seconds(since: start)
    let rssAfter = residentBytes()
    print(String(format: "writes:     %.0f acknowledged puts/s of new keys (%d in %.3f s; the first write to an owner reads its counts)",
                 Double(entries) / writeTime, entries, writeTime))
    print(String(format: "memory:     %.1f bytes per pending entry (RSS %+.1f MB)",
                 Double(rssAfter - rssBefore) / Double(entries), Double(rssAfter - rssBefore) / 1e6))
    let updates = min(entries, 500_000)
    start = now()
    try await putAll(cache, count: updates) { i in (Int64(i / usersPerOwner), Int64(i % usersPerOwner), Int64(entries + i)) }
    print(String(format: "            %.0f puts/s replacing pending entries", Double(updates) / seconds(since: start)))
    if environment["WB_BENCH_WRITES_ONLY"] != nil { return }
    if environment["WB_BENCH_FLUSH_ONLY"] != nil {
        let r = try await cache.flush()
        print(String(format: "flush:      %.0f rows/s (%.3f s)", Double(r.rows) / r.duration, r.duration))
        return
    }

    // 2. Snapshot of everything, a reader measuring latency meanwhile.
    let idle = try await readLatencies(cache) { try await Task.sleep(nanoseconds: 300_000_000) }
    var snapshot: SnapshotReport?
    let duringSnapshot = try await readLatencies(cache) { snapshot = try await cache.snapshot() }
    if let snap = snapshot {
        print(String(format: "snapshot:   %.3f s for %d pending entries (%.1f MB in %d files, written, fsynced, renamed)",
                     snap.duration, snap.entries, Double(snap.bytes) / 1e6, snap.filesWritten))
    }

    // 3. Flush of everything, with snapshots every 100 ms (as the timer would) and the reader.
    var flushReport: FlushReport?
    let duringFlush = try await readLatencies(cache) {
        let snapshots = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 100_000_000)
                _ = try? await cache.snapshot()
            }
        }
        flushReport = try await cache.flush()
        snapshots.cancel()
        await snapshots.value
    }
    if let flush = flushReport {
        print(String(format: "flush:      %.0f rows/s into SQLite (%d rows in %.3f s, transactions of 10 000)",
                     Double(flush.rows) / flush.duration, flush.rows, flush.duration))
    }
    print("reads:      idle                         " + percentiles(idle))
    print("            during the snapshot          " + percentiles(duringSnapshot))
    print("            during the flush + snapshots " + percentiles(duringFlush))

    // 4. Writes that need a database read: new keys of owners whose stored rows are not all shadowed.
    let fresh = min(entries, 100_000)
    start = now()
    try await putAll(cache, count: fresh) { i in (Int64(i / usersPerOwner), Int64(usersPerOwner + i % usersPerOwner), Int64(i)) }
    print(String(format: "writes:     %.0f puts/s of new keys of owners with stored rows (one point read each)",
                 Double(fresh) / seconds(since: start)))
    try await cache.shutdown()

    // 5. Reference: the same number of rows straight through Store into a fresh file.
    let reference = try Store(path: dir + "/reference.sqlite", migrations: VotesTable.migrations)
    defer { reference.close() }
    start = now()
    var i = 0
    while i < entries {
        let from = i
        try await reference.write { c in
            for j in from..<min(from + 10_000, entries) {
                try VotesTable().upsert(c, owner: Int64(j / usersPerOwner), user: Int64(j % usersPerOwner),
                                        value: Vote(choice: UInt8(j & 1), date: Int64(j)))
            }
        }
        i += 10_000
    }
    print(String(format: "reference:  %.0f rows/s for the same upserts straight through Store, in order",
                 Double(entries) / seconds(since: start)))

    // 6. Pages of an owner with many stored rows and many pending entries.
    try await pageFigures(directory: dir)
}

// Top-level await (a Task waited for with a semaphore would be main-actor isolated in Swift 6 mode and
// never run while the main thread waits).
do { try await run() } catch { print("benchmark failed: \(error)") }
