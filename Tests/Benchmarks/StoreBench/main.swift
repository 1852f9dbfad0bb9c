// Store micro-benchmarks, in-process on a real SQLite file:
//
//   swift build -c release --product StoreBench && .build/release/StoreBench
//
// 1. a 100-row × 18-column query decoded into records, read by position and by name;
// 2. a point query bound with 2 integers, as [SQLValue] and as [any SQLBindable].
// `StoreBench point|point-bindable <n>` runs only n point queries (count their allocations with valgrind:
// see PointQuery.repeatOnly); `StoreBench rows|rows-by-name <n>` only n row queries (for `perf stat`:
// instruction counts do not depend on the machine's load).
import Foundation
import Store

let iterations = Int(ProcessInfo.processInfo.environment["STORE_BENCH_ITERATIONS"] ?? "") ?? 1_000

func run() throws {
    let dir = NSTemporaryDirectory() + "store-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try Store(path: dir + "/bench.sqlite", migrations: [Migration(version: 1, name: "bench", sql: Item.schema)])
    defer { store.close() }
    try store.writeSync { c in
        for i in 1...1_000 { try c.run(Item.insertSQL, Item.arguments(i)) }
    }
    let arguments = CommandLine.arguments
    if arguments.count == 3, arguments[1].hasPrefix("point"), let n = Int(arguments[2]) {
        try store.read { c in try PointQuery.repeatOnly(c, n, bindable: arguments[1] == "point-bindable") }
        return
    }
    if arguments.count == 3, arguments[1].hasPrefix("rows"), let n = Int(arguments[2]) {
        try store.read { c in try RowReading.repeatOnly(c, n, byName: arguments[1] == "rows-by-name") }
        return
    }
    print("store benchmark: \(iterations) iterations, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    try store.read { c in try RowReading.measure(c) }
    try store.read { c in try PointQuery.measure(c) }
}

do { try run() } catch { print("benchmark failed: \(error)"); exit(1) }
