import Foundation
import Store

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// The best of `rounds` timings of `body`, in seconds (the least disturbed by other processes).
func best(rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        try body()
        fastest = min(fastest, seconds(since: start))
    }
    return fastest
}

/// 100 rows × 18 columns decoded into `Item`s.
enum RowReading {
    static let sql = "SELECT \(Item.columns) FROM items WHERE id > ? ORDER BY id LIMIT 100"

    static func measure(_ c: Connection) throws {
        var sink = 0
        let positional = try best {
            for i in 0..<iterations {
                let items = try c.query(sql, [.integer(Int64(i % 900))]) { Item(positional: $0) }
                sink &+= items.count
            }
        }
        print(String(format: "rows:       by position %.2f µs per 100-row query (%.1f ns per column read)",
                     positional / Double(iterations) * 1e6, positional / Double(iterations * 1800) * 1e9))
        if sink == 42 { print(sink) }
    }
}

/// `SELECT … WHERE id = ? AND channel_id = ?`, bound with two integers.
enum PointQuery {
    static let sql = "SELECT title FROM items WHERE id = ? AND channel_id = ?"

    static func measure(_ c: Connection) throws {
        let n = iterations * 10
        var sink = 0
        let values = try best {
            for i in 0..<n {
                let id = Int64(i % 1000 + 1)
                sink &+= try c.queryOne(sql, [.integer(id), .integer(id % 10)]) { $0.string(0).utf8.count } ?? 0
            }
        }
        print(String(format: "bind:       [SQLValue]      %.0f ns per point query", values / Double(n) * 1e9))
        if sink == 42 { print(sink) }
    }

    /// Only `n` point queries, for counting heap allocations from outside: run under
    /// `valgrind --tool=memcheck` with two values of n; the difference in "total heap usage … allocs"
    /// divided by the difference in n is the allocations per query.
    static func repeatOnly(_ c: Connection, _ n: Int) throws {
        var sink = 0
        for i in 0..<n {
            let id = Int64(i % 1000 + 1)
            sink &+= try c.queryOne(sql, [.integer(id), .integer(id % 10)]) { $0.string(0).utf8.count } ?? 0
        }
        if sink == 42 { print(sink) }
    }
}
