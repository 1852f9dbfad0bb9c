import Foundation
import Store
import WriteBehind

/// Deterministic random numbers (SplitMix64), so every run pages the same state.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Pages of one owner with 200 000 stored rows and k pending entries spread over its whole list: 60 % new
/// users, 20 % replacements (a stored row moved to another date) and 20 % deletes of stored rows. Median
/// µs per page of 15: page 1, a deep offset page (offset 150 000), the pages after and before a key there
/// (what `next` and `previous` links ask for); then µs per write to that owner once its pages have
/// been read (its order is kept from then on).
func pageFigures(directory: String) async throws {
    let stored = 200_000
    let owner: Int64 = 1
    let store = try Store(path: directory + "/pages.sqlite", migrations: VotesTable.migrations)
    defer { store.close() }
    var at = 0
    while at < stored {
        let from = at
        try await store.write { c in
            for u in from..<min(from + 10_000, stored) {
                try VotesTable().upsert(c, owner: owner, user: Int64(u), value: Vote(choice: UInt8(u & 1), date: Int64(u) * 10))
            }
        }
        at += 10_000
    }
    print("pages:      one owner with \(stored) stored rows, k pending entries spread over its list; median per page of 15")
    for k in [0, 1_000, 50_000] {
        let cache = try WriteBehindCache(table: VotesTable(), store: store, shardCount: 1,
                                         snapshotDirectory: directory + "/page-snapshots-\(k)", reserveBytes: 0)
        var rng = SeededRandom(state: UInt64(k))
        var written = 0
        while written < k {
            let roll = Int.random(in: 0..<10, using: &rng)
            let date = Int64.random(in: 0..<Int64(stored) * 10, using: &rng) | 1   // between stored dates
            if roll < 6 {
                try await cache.put(owner: owner, user: Int64(1_000_000 + written), value: Vote(choice: 0, date: date))
            } else if roll < 8 {
                try await cache.put(owner: owner, user: Int64.random(in: 0..<Int64(stored), using: &rng),
                                    value: Vote(choice: 1, date: date))
            } else {
                _ = try await cache.remove(owner: owner, user: Int64.random(in: 0..<Int64(stored), using: &rng))
            }
            written += 1
        }
        _ = try await cache.count(owner: owner)
        let runs = k >= 50_000 ? 5 : 25
        let first = try await medianMicroseconds(runs) { _ = try await cache.page(owner: owner, limit: 15, offset: 0) }
        let deep = try await medianMicroseconds(runs) { _ = try await cache.page(owner: owner, limit: 15, offset: 150_000) }
        let at = try await cache.page(owner: owner, limit: 1, offset: 150_000)[0]
        let key = PageKey(sortKey: at.value.sortKey, user: at.user)
        let after = try await medianMicroseconds(25) { _ = try await cache.page(owner: owner, after: key, limit: 15) }
        let before = try await medianMicroseconds(25) { _ = try await cache.page(owner: owner, before: key, limit: 15) }
        print(String(format: "            k = %6d: page 1 %8.1f µs, offset 150 000 %9.1f µs, after a key %6.1f µs, before a key %6.1f µs",
                     k, first, deep, after, before))
        let writes = 5_000
        let start = now()
        for i in 0..<writes {
            let date = Int64.random(in: 0..<Int64(stored) * 10, using: &rng) | 1
            if i % 5 == 4 {
                _ = try await cache.remove(owner: owner, user: Int64.random(in: 0..<Int64(stored), using: &rng))
            } else {
                try await cache.put(owner: owner, user: Int64(2_000_000 + i), value: Vote(choice: 0, date: date))
            }
        }
        print(String(format: "                      then %.2f µs per write to that owner (80 %% new keys anywhere, 20 %% deletes)",
                     seconds(since: start) * 1e6 / Double(writes)))
    }
}

/// The median duration of `runs` calls of `body`, in µs.
func medianMicroseconds(_ runs: Int, _ body: () async throws -> Void) async throws -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = now()
        try await body()
        samples.append(seconds(since: start) * 1e6)
    }
    return samples.sorted()[samples.count / 2]
}
