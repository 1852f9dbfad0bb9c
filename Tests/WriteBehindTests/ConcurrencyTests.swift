import Platform
import Store
import XCTest
import TestSupport
@testable import WriteBehind

final class ConcurrencyTests: XCTestCase {
    /// One acknowledged operation on a shared key: what it wrote (a unique date) and what it saw before.
    private enum Op {
        case put(wrote: Int64, previous: Int64?)
        case inserted(wrote: Int64)
        case removed(previous: Int64?)
    }

    /// Many tasks write, delete and read the same and different keys while flushes run. Every write carries
    /// a unique date, and every acknowledged operation reports the previous merged value, so the actor's
    /// order of the operations on a key can be checked as one chain; the chain's end must be the database.
    func testConcurrentWritersReadersAndFlushesMatchTheSequentialModel() async throws {
        let f = try Fixture()
        let sharedOwners = Array(Int64(1)...4)
        let tasks = 8
        try f.addOwners(sharedOwners + (0..<tasks).map { Int64(100 + $0) })
        // Some shared keys start stored, with unique dates of their own.
        var initial: [Pair: Int64] = [:]
        for o in sharedOwners { for u in Int64(0)..<4 { initial[Pair(o, u)] = -(o * 100 + u) } }
        try f.storeSubs(initial.map { ($0.key.owner, $0.key.user, $0.value) })
        let cache = try f.subs(shards: 3, batch: 7)

        let writersDone = Locked(false)
        let flusher = Task {
            var flushes = 0
            while !writersDone.withLock({ $0 }) {
                _ = try await cache.flush()
                flushes += 1
                await Task.yield()
            }
            return flushes
        }
        let results = try await withThrowingTaskGroup(of: [(Pair, Op)].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var rng = SeededRandom(seed: UInt64(t + 1))
                    var log: [(Pair, Op)] = []
                    var mine: [Int64: Int64] = [:]   // this task's private keys: user → date
                    let privateOwner = Int64(100 + t)
                    for i in 0..<300 {
                        let date = Int64(t * 1_000_000 + i + 1)
                        if Int.random(in: 0..<4, using: &rng) == 0 {
                            // A private key: read-your-writes must hold exactly.
                            let user = Int64.random(in: 0..<8, using: &rng)
                            if Bool.random(using: &rng) {
                                try await cache.put(owner: privateOwner, user: user, value: Sub(date: date))
                                mine[user] = date
                            } else {
                                _ = try await cache.remove(owner: privateOwner, user: user)
                                mine[user] = nil
                            }
                            let seen = try await cache.value(owner: privateOwner, user: user)
                            XCTAssertEqual(seen?.date, mine[user])
                            let n = try await cache.count(owner: privateOwner)
                            XCTAssertEqual(n, mine.count)
                            continue
                        }
                        let key = Pair(sharedOwners[Int.random(in: 0..<sharedOwners.count, using: &rng)],
                                       Int64.random(in: 0..<12, using: &rng))
                        switch Int.random(in: 0..<6, using: &rng) {
                        case 0, 1:
                            let prev = try await cache.put(owner: key.owner, user: key.user, value: Sub(date: date))
                            log.append((key, .put(wrote: date, previous: prev?.date)))
                        case 2:
                            if try await cache.insertIfAbsent(owner: key.owner, user: key.user, value: Sub(date: date)) {
                                log.append((key, .inserted(wrote: date)))
                            }
                        case 3:
                            let prev = try await cache.remove(owner: key.owner, user: key.user)
                            log.append((key, .removed(previous: prev?.date)))
                        case 4:
                            let n = try await cache.count(owner: key.owner)
                            XCTAssertTrue((0...12).contains(n), "count \(n)")
                        default:
                            let page = try await cache.page(owner: key.owner, limit: 5, offset: Int.random(in: 0..<8, using: &rng))
                            let order = page.map { [$0.value.date, $0.user] }
                            XCTAssertEqual(order, order.sorted { $0.lexicographicallyPrecedes($1) }, "pages keep (date, user) order")
                            XCTAssertEqual(Set(page.map(\.user)).count, page.count, "no user twice in a page")
                        }
                    }
                    return log
                }
            }
            var all: [(Pair, Op)] = []
            for try await part in group { all += part }
            return all
        }
        writersDone.withLock { $0 = true }
        let flushes = try await flusher.value
        XCTAssertGreaterThan(flushes, 0)
        _ = try await cache.flush()

        // Rebuild each shared key's chain and derive its final value.
        var expected: [Pair: Int64] = [:]
        var opsByKey: [Pair: [Op]] = [:]
        for (key, op) in results { opsByKey[key, default: []].append(op) }
        for o in sharedOwners {
            for u in Int64(0)..<12 {
                let key = Pair(o, u)
                var written = Set<Int64>()
                if let v = initial[key] { written.insert(v) }
                var consumed = Set<Int64>()
                var appeared = 0      // absent → present
                var vanished = 0      // present → absent
                for op in opsByKey[key] ?? [] {
                    switch op {
                    case let .put(wrote, previous):
                        written.insert(wrote)
                        if let p = previous {
                            XCTAssertTrue(consumed.insert(p).inserted, "\(key): value \(p) replaced twice")
                        } else {
                            appeared += 1
                        }
                    case let .inserted(wrote):
                        written.insert(wrote)
                        appeared += 1
                    case let .removed(previous):
                        if let p = previous {
                            XCTAssertTrue(consumed.insert(p).inserted, "\(key): value \(p) removed twice")
                            vanished += 1
                        }
                    }
                }
                XCTAssertTrue(consumed.isSubset(of: written), "\(key): saw a value nobody wrote")
                let left = written.subtracting(consumed)
                XCTAssertLessThanOrEqual(left.count, 1, "\(key): more than one live value")
                let finallyPresent = left.count == 1
                XCTAssertEqual(appeared - vanished, (finallyPresent ? 1 : 0) - (initial[key] != nil ? 1 : 0), "\(key)")
                expected[key] = left.first
            }
        }
        let stored = try f.storedSubs()
        for o in sharedOwners {
            var want: [Int64: Int64] = [:]
            for (key, v) in expected where key.owner == o { want[key.user] = v }
            XCTAssertEqual(stored[o] ?? [:], want, "owner \(o)")
            let count = try await cache.count(owner: o)
            XCTAssertEqual(count, want.count, "counts equal the rows")
        }
        for t in 0..<tasks {
            let owner = Int64(100 + t)
            let count = try await cache.count(owner: owner)
            XCTAssertEqual(count, stored[owner]?.count ?? 0)
        }
        let stats = await cache.stats()
        XCTAssertEqual(stats.pendingEntries, 0)
    }
}
