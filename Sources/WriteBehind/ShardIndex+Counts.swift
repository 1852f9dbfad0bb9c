/// The per-owner counts a shard keeps (O(1) counts after an owner's first access), in a pool of fixed-width
/// slots with a one-bit clock for evicting idle owners.
extension ShardIndex {
    /// The owner's merged counts, or nil while not loaded.
    func counts(of owner: Int64) -> ArraySlice<Int>? {
        guard let at = owners[owner]?.countsAt, at >= 0 else { return nil }
        let start = Int(at) * categoryCount
        return countPool[start..<start + categoryCount]
    }

    /// Stored rows of the owner not hidden by a pending entry (merged total − pending upserts), or nil
    /// while the counts are not loaded. Zero means no database read can find a row of this owner that
    /// the pending entries do not already answer.
    func storedVisible(_ owner: Int64) -> Int? {
        guard let info = owners[owner], info.countsAt >= 0 else { return nil }
        let start = Int(info.countsAt) * categoryCount
        var total = 0
        for i in start..<start + categoryCount { total &+= countPool[i] }
        return total &- Int(info.pendingUpserts)
    }

    /// Installs loaded counts (`counts` has `categoryCount` numbers).
    mutating func setCounts(_ owner: Int64, _ counts: [Int]) {
        var at = owners[owner]?.countsAt ?? -1
        if at < 0 {
            if let free = freeCountSlots.popLast() {
                at = free
            } else {
                at = Int32(countPool.count / categoryCount)
                countPool.append(contentsOf: repeatElement(0, count: categoryCount))
            }
            owners[owner, default: OwnerInfo()].countsAt = at
            countedOwners += 1
        }
        let start = Int(at) * categoryCount
        for i in 0..<categoryCount { countPool[start + i] = i < counts.count ? counts[i] : 0 }
        owners[owner]?.recentlyUsed = true
    }

    /// Adds `delta` to one count of an owner whose counts are loaded (no-op otherwise).
    mutating func addCount(_ owner: Int64, category: Int, delta: Int) {
        moveCount(owner, from: delta < 0 ? category : nil, to: delta > 0 ? category : nil, by: abs(delta))
    }

    /// Moves `by` from count `from` to count `to` (either may be nil) of an owner whose counts are
    /// loaded (no-op otherwise); a category out of range counts as 0.
    mutating func moveCount(_ owner: Int64, from: Int?, to: Int?, by n: Int = 1) {
        guard let at = owners[owner]?.countsAt, at >= 0 else { return }
        let base = Int(at) * categoryCount
        if let f = from { countPool[base + (f >= 0 && f < categoryCount ? f : 0)] &-= n }
        if let t = to { countPool[base + (t >= 0 && t < categoryCount ? t : 0)] &+= n }
    }

    /// With the owner's counts loaded: marks it recently used (spared by the next sweep) and returns its
    /// stored rows not hidden by pending entries (see `storedVisible`); nil while not loaded. One lookup.
    mutating func touchCounted(_ owner: Int64) -> Int? {
        guard let i = owners.index(forKey: owner) else { return nil }
        owners.values[i].recentlyUsed = true
        let info = owners.values[i]
        guard info.countsAt >= 0 else { return nil }
        let start = Int(info.countsAt) * categoryCount
        var total = 0
        for c in start..<start + categoryCount { total &+= countPool[c] }
        return total &- Int(info.pendingUpserts)
    }

    /// Forgets the owner's counts (they are re-read next time).
    mutating func dropCounts(_ owner: Int64) {
        guard let i = owners.index(forKey: owner) else { return }
        let at = owners.values[i].countsAt
        guard at >= 0 else { return }
        freeCountSlots.append(at)
        countedOwners -= 1
        if owners.values[i].pending <= 0 {
            owners.remove(at: i)
        } else {
            owners.values[i].countsAt = -1
        }
    }

    /// Forgets every owner's counts.
    mutating func dropAllCounts() {
        owners = owners.filter { $0.value.pending > 0 }
        for i in owners.indices { owners.values[i].countsAt = -1 }
        countPool = []
        freeCountSlots = []
        countedOwners = 0
        evictionThreshold = 0
    }

    /// Bounds the owners kept only for their counts: once more than `limit` owners have counts, drops
    /// those with no pending entries, least recently used first (clock sweep). Amortised O(1).
    mutating func evictIdleCounts(limit: Int) {
        guard countedOwners > max(limit, evictionThreshold) else { return }
        let target = limit - limit / 4
        var idle: [(owner: Int64, recent: Bool)] = []
        for (owner, info) in owners where info.pending <= 0 && info.countsAt >= 0 {
            idle.append((owner, info.recentlyUsed))
        }
        var excess = countedOwners - target
        for pass in 0..<2 where excess > 0 {
            for (owner, recent) in idle where excess > 0 && (pass == 1 || !recent) {
                if owners[owner]?.countsAt ?? -1 >= 0 {
                    dropCounts(owner)
                    excess -= 1
                }
            }
        }
        for i in owners.indices { owners.values[i].recentlyUsed = false }
        // Owners with pending entries cannot be dropped: wait for real growth before sweeping again.
        evictionThreshold = countedOwners + max(16, limit / 2)
    }
}
