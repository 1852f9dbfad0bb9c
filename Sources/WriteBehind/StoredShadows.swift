/// Per pending slot (parallel to the shard's index): the sort key of the stored row the entry hides, nil
/// when the database has no row for its key. An offset page counts the hidden stored rows before a key
/// from these instead of reading them back.
///
/// Set when the entry is made (the write already looked the stored row up), re-read with the owner's
/// counts, and moved to the flushed value when a flush commits the entry's batch. Two plain arrays (9
/// bytes a slot) rather than one of optionals (16).
struct StoredShadows {
    private var sortKeys: [Int64] = []
    private var present: [Bool] = []

    var count: Int { sortKeys.count }

    subscript(slot: Int) -> Int64? {
        @inline(__always) get { present[slot] ? sortKeys[slot] : nil }
        @inline(__always) set {
            present[slot] = newValue != nil
            sortKeys[slot] = newValue ?? 0
        }
    }

    @inline(__always) mutating func append(_ sortKey: Int64?) {
        if sortKeys.count == sortKeys.capacity {
            let n = ShardIndex.grownCapacity(sortKeys.count)
            sortKeys.reserveCapacity(n)
            present.reserveCapacity(n)
        }
        sortKeys.append(sortKey ?? 0)
        present.append(sortKey != nil)
    }

    /// Mirrors `ShardIndex.remove`: the last slot fills the hole.
    @inline(__always) mutating func removeSlot(_ slot: Int) {
        let last = sortKeys.count - 1
        if slot != last {
            sortKeys[slot] = sortKeys[last]
            present[slot] = present[last]
        }
        sortKeys.removeLast()
        present.removeLast()
    }

    /// Mirrors `ShardIndex.rebuild(keeping:)`.
    mutating func keep(_ kept: [Int]) {
        let n = ShardIndex.grownCapacity(kept.count)
        var keys: [Int64] = [], flags: [Bool] = []
        keys.reserveCapacity(n)
        flags.reserveCapacity(n)
        for slot in kept {
            keys.append(sortKeys[slot])
            flags.append(present[slot])
        }
        sortKeys = keys
        present = flags
    }

    /// Mirrors `ShardIndex.shrinkIfSparse`.
    mutating func shrink(to capacity: Int) {
        sortKeys = ShardIndex.copy(sortKeys, capacity: capacity)
        present = ShardIndex.copy(present, capacity: capacity)
    }
}
