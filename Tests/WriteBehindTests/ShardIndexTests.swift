import XCTest
import TestSupport
@testable import WriteBehind

final class ShardIndexTests: XCTestCase {
    /// Random inserts, updates and removals against a dictionary model, checking lookups, the per-owner
    /// lists and the bookkeeping after every step, through growth and shrinking.
    func testRandomOperationsMatchAModel() {
        var rng = SeededRandom(seed: 7)
        var index = ShardIndex(categoryCount: 2)
        var values: [Int] = []               // parallel array, as the shard keeps it
        var model: [Pair: (seq: UInt64, upsert: Bool, value: Int)] = [:]
        var seq: UInt64 = 0
        for step in 0..<20_000 {
            let owner = Int64.random(in: 0..<40, using: &rng)
            let user = Int64.random(in: 0..<60, using: &rng)
            let key = Pair(owner, user)
            let slot = index.find(owner, user)
            XCTAssertEqual(slot >= 0, model[key] != nil)
            // A burst of removals now and then exercises shrinking; now and then a rebuild keeps a subset.
            let removing = step % 5000 > 4000 || Int.random(in: 0..<3, using: &rng) == 0
            if step % 1500 == 1499 {
                let kept = (0..<index.count).filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }
                let epoch = index.epoch
                let keptKeys = Set(kept.map { Pair(index.keys[$0].owner, index.keys[$0].user) })
                index.rebuild(keeping: kept)
                values = kept.map { values[$0] }
                model = model.filter { keptKeys.contains($0.key) }
                XCTAssertNotEqual(index.epoch, epoch)
            } else if removing {
                if slot >= 0 {
                    if index.remove(slot) { values[slot] = values[values.count - 1] }
                    values.removeLast()
                    model[key] = nil
                    if let cap = index.shrinkIfSparse() { values = ShardIndex.copy(values, capacity: cap) }
                }
            } else {
                seq += 1
                let upsert = Bool.random(using: &rng)
                if slot >= 0 {
                    index.update(slot, seq: seq, upsert: upsert)
                    values[slot] = step
                } else {
                    _ = index.insert(owner, user, seq: seq, upsert: upsert)
                    values.append(step)
                }
                model[key] = (seq, upsert, step)
            }
            if step % 997 == 0 || step > 19_900 { check(index, values, model) }
        }
        check(index, values, model)
    }

    private func check(_ index: ShardIndex, _ values: [Int], _ model: [Pair: (seq: UInt64, upsert: Bool, value: Int)]) {
        XCTAssertEqual(index.count, model.count)
        XCTAssertEqual(values.count, model.count)
        for (key, m) in model {
            let slot = index.find(key.owner, key.user)
            guard slot >= 0 else { return XCTFail("lost \(key)") }
            XCTAssertEqual(index.seq(slot), m.seq)
            XCTAssertEqual(index.isUpsert(slot), m.upsert)
            XCTAssertEqual(values[slot], m.value)
        }
        let byOwner = Dictionary(grouping: model.keys, by: \.owner)
        XCTAssertEqual(Set(index.owners.keys), Set(byOwner.keys), "owners without entries or counts are dropped")
        for (owner, keys) in byOwner {
            let users = index.slots(of: owner).map { index.keys[$0].user }
            XCTAssertEqual(users.count, keys.count)
            XCTAssertEqual(Set(users), Set(keys.map(\.user)))
            XCTAssertEqual(index.pendingCount(of: owner), keys.count)
            XCTAssertEqual(Int(index.owners[owner]?.pendingUpserts ?? -1), keys.filter { model[$0]!.upsert }.count)
        }
    }

    func testUnchangedSlotsSinceAnImage() {
        var index = ShardIndex(categoryCount: 1)
        for u in Int64(0)..<10 { _ = index.insert(1, u, seq: UInt64(u + 1), upsert: true) }
        let image = index.stamps
        index.update(3, seq: 11, upsert: true)
        index.update(5, seq: 12, upsert: false)
        _ = index.insert(2, 0, seq: 13, upsert: true)
        XCTAssertEqual(index.unchangedSlots(since: image), [0, 1, 2, 4, 6, 7, 8, 9])
    }

    func testCountsPoolAndStoredVisible() {
        var index = ShardIndex(categoryCount: 2)
        XCTAssertNil(index.counts(of: 1))
        XCTAssertNil(index.storedVisible(1))
        index.setCounts(1, [3, 4])
        XCTAssertEqual(index.counts(of: 1).map(Array.init), [3, 4])
        XCTAssertEqual(index.storedVisible(1), 7)
        _ = index.insert(1, 10, seq: 1, upsert: true)
        index.addCount(1, category: 1, delta: 1)
        XCTAssertEqual(index.storedVisible(1), 7, "a pending upsert is not a stored row")
        index.addCount(1, category: 99, delta: 1)   // out of range: bucket 0, no crash
        XCTAssertEqual(index.counts(of: 1).map(Array.init), [4, 5])
        index.dropCounts(1)
        XCTAssertNil(index.counts(of: 1))
        XCTAssertEqual(index.pendingCount(of: 1), 1, "the owner stays while it has pending entries")
        index.setCounts(2, [1])   // short array: padded with 0
        XCTAssertEqual(index.counts(of: 2).map(Array.init), [1, 0])
        XCTAssertEqual(index.countedOwners, 1)
        index.dropAllCounts()
        XCTAssertEqual(index.countedOwners, 0)
        XCTAssertNil(index.owners[2])
        XCTAssertNotNil(index.owners[1])
    }
}
