import Foundation
import Store

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// This thread's CPU time in seconds: time spent descheduled by other processes' load does not count.
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The fastest of `rounds` runs of each variant, alternated so a burst of load hits all alike; in
/// seconds of thread CPU time.
func fastest(rounds: Int = 40, _ variants: [() throws -> Void]) throws -> [Double] {
    var best = Array(repeating: Double.infinity, count: variants.count)
    for _ in 0..<rounds {
        for (i, run) in variants.enumerated() {
            let start = threadCPUTime()
            try run()
            best[i] = min(best[i], threadCPUTime() - start)
        }
    }
    return best
}

/// 100 rows × 18 columns decoded into `Item`s.
enum RowReading {
    static let sql = "SELECT \(Item.columns) FROM items WHERE id > ? ORDER BY id LIMIT 100"

    static func measure(_ c: Connection) throws {
        var sink = 0
        func byPosition() throws {
            for i in 0..<iterations {
                sink &+= try c.query(sql, [.integer(Int64(i % 900))]) { Item(positional: $0) }.count
            }
        }
        func byName() throws {
            for i in 0..<iterations {
                sink &+= try c.query(sql, [.integer(Int64(i % 900))], as: Item.self).count
            }
        }
        let t = try fastest([byPosition, byName])
        let positional = t[0], named = t[1]
        print(String(format: "rows:       by position %.2f µs per 100-row query (%.1f ns per column read)",
                     positional / Double(iterations) * 1e6, positional / Double(iterations * 1800) * 1e9))
        print(String(format: "            by name     %.2f µs per 100-row query (%.1f ns per column read), %+.1f %%",
                     named / Double(iterations) * 1e6, named / Double(iterations * 1800) * 1e9,
                     (named / positional - 1) * 100))
        if sink == 42 { print(sink) }
    }

    /// Only `n` queries, read one way.
    static func repeatOnly(_ c: Connection, _ n: Int, byName: Bool) throws {
        var sink = 0
        for i in 0..<n {
            if byName {
                sink &+= try c.query(sql, [.integer(Int64(i % 900))], as: Item.self).count
            } else {
                sink &+= try c.query(sql, [.integer(Int64(i % 900))]) { Item(positional: $0) }.count
            }
        }
        if sink == 42 { print(sink) }
    }
}

/// `SELECT … WHERE id = ? AND channel_id = ?`, bound with two integers.
enum PointQuery {
    static let sql = "SELECT title FROM items WHERE id = ? AND channel_id = ?"

    static func measure(_ c: Connection) throws {
        let n = iterations * 5
        var sink = 0
        func values() throws {
            for i in 0..<n {
                let id = Int64(i % 1000 + 1)
                sink &+= try c.queryOne(sql, [.integer(id), .integer(id % 10)]) { $0.string(0).utf8.count } ?? 0
            }
        }
        func bindables() throws {
            for i in 0..<n {
                let id = Int64(i % 1000 + 1)
                let channel = id % 10
                sink &+= try c.queryOne(sql, [id, channel]) { $0.string(0).utf8.count } ?? 0
            }
        }
        let t = try fastest([values, bindables])
        let valueTime = t[0], bindableTime = t[1]
        print(String(format: "bind:       [SQLValue]      %.0f ns per point query", valueTime / Double(n) * 1e9))
        print(String(format: "            [any SQLBindable] %.0f ns per point query, %+.1f %%", bindableTime / Double(n) * 1e9,
                     (bindableTime / valueTime - 1) * 100))
        if sink == 42 { print(sink) }
    }

    /// Only `n` point queries, for counting heap allocations from outside: run under
    /// `valgrind --tool=memcheck` with two values of n; the difference in "total heap usage … allocs"
    /// divided by the difference in n is the allocations per query.
    static func repeatOnly(_ c: Connection, _ n: Int, bindable: Bool) throws {
        var sink = 0
        for i in 0..<n {
            let id = Int64(i % 1000 + 1)
            let channel = id % 10
            if bindable {
                sink &+= try c.queryOne(sql, [id, channel]) { $0.string(0).utf8.count } ?? 0
            } else {
                sink &+= try c.queryOne(sql, [.integer(id), .integer(channel)]) { $0.string(0).utf8.count } ?? 0
            }
        }
        if sink == 42 { print(sink) }
    }
}
