import Store

/// A pending write as handed to a flush: a value for an insert/update, nil for a delete.
struct PendingWrite<Value: Sendable>: Sendable {
    var owner: Int64
    var user: Int64
    var seq: UInt64
    var value: Value?
}

/// One shard: the pending writes of the owners that hash to it, their merged counts, and the merged
/// reads. Every method runs to completion without suspending, so each is atomic; database reads are
/// synchronous `store.read` calls (microseconds) made from inside the actor.
actor Shard<Table: WriteBehindTable> {
    typealias Value = Table.Value

    let table: Table
    let store: Store
    let number: Int
    let shardCount: Int
    /// Owners kept only for their counts, beyond which idle ones are evicted.
    let countedOwnerLimit: Int
    var index: ShardIndex
    /// Parallel to `index.keys`: the pending value, nil for a pending delete.
    var values: [Value?]
    /// The last sequence number handed out.
    var lastSeq: UInt64
    /// Bumped by every change of the pending state; a snapshot is due while it differs from `savedGeneration`.
    var generation: UInt64
    var savedGeneration: UInt64 = 0
    var closed = false

    /// A shard holding `contents` (loaded from its snapshot); `dirty` asks the next snapshot to rewrite it.
    init(table: Table, store: Store, number: Int, shardCount: Int, countedOwnerLimit: Int,
         contents: ShardContents<Value>, lastSeq: UInt64, dirty: Bool) {
        self.table = table
        self.store = store
        self.number = number
        self.shardCount = shardCount
        self.countedOwnerLimit = max(16, countedOwnerLimit)
        self.index = contents.index
        self.values = contents.values
        self.lastSeq = lastSeq
        self.generation = dirty ? 1 : 0
    }

    // MARK: - Reads

    /// The merged value of (owner, user).
    func value(owner: Int64, user: Int64) throws -> Value? {
        let slot = index.find(owner, user)
        if slot >= 0 { return values[slot] }
        return try stored(owner, user)
    }

    /// The merged counts per category (loaded once, then kept up to date).
    func counts(owner: Int64) throws -> [Int] {
        Array(try ensureCounts(owner))
    }

    /// The merged number of entries of the owner.
    func count(owner: Int64) throws -> Int {
        try ensureCounts(owner).reduce(0, &+)
    }

    /// Pending entries and owners with counts, for stats.
    func sizes() -> (pending: Int, countedOwners: Int) { (index.count, index.countedOwners) }

    // MARK: - Writes

    /// Inserts when (owner, user) is absent from the merged view; false and no change otherwise.
    func insertIfAbsent(owner: Int64, user: Int64, value: Value) throws -> Bool {
        try ensureWritable()
        try ensureCounts(owner)
        let slot = index.find(owner, user)
        let previous = slot >= 0 ? values[slot] : try stored(owner, user)
        guard previous == nil else { return false }
        try record(owner, user, slot, value)
        index.addCount(owner, category: value.category, delta: 1)
        return true
    }

    /// Inserts or replaces; returns the previous merged value.
    func put(owner: Int64, user: Int64, value: Value) throws -> Value? {
        try ensureWritable()
        try ensureCounts(owner)
        let slot = index.find(owner, user)
        let previous = slot >= 0 ? values[slot] : try stored(owner, user)
        if previous == value { return previous }   // the merged view already says so
        try record(owner, user, slot, value)
        if let previous { index.addCount(owner, category: previous.category, delta: -1) }
        index.addCount(owner, category: value.category, delta: 1)
        return previous
    }

    /// Deletes; returns the removed merged value, nil (and no change) when absent.
    func remove(owner: Int64, user: Int64) throws -> Value? {
        try ensureWritable()
        try ensureCounts(owner)
        let slot = index.find(owner, user)
        guard let previous = slot >= 0 ? values[slot] : try stored(owner, user) else { return nil }
        // Always a delete entry, even over a pending insert: a flush may be writing that insert right now.
        try record(owner, user, slot, nil)
        index.addCount(owner, category: previous.category, delta: -1)
        return previous
    }

    /// Drops the owner's pending entries and counts (the owner is gone from the database).
    func forgetOwner(_ owner: Int64) {
        let slots = index.slots(of: owner).sorted(by: >)
        for slot in slots { removeSlot(slot) }
        index.dropCounts(owner)
        if !slots.isEmpty { generation &+= 1 }
    }

    /// Drops the user's pending entries, and every count (the user's stored rows vanished from owners
    /// this shard cannot enumerate).
    func forgetUser(_ user: Int64) {
        var slots: [Int] = []
        for (slot, key) in index.keys.enumerated() where key.user == user { slots.append(slot) }
        for slot in slots.reversed() { removeSlot(slot) }
        index.dropAllCounts()
        if !slots.isEmpty { generation &+= 1 }
    }

    /// Refuses further writes (shutdown).
    func close() { closed = true }

    // MARK: - Flush

    /// Every pending entry with its sequence number, and the shard's counter: all writes up to it are
    /// either in the returned list or already in the database.
    func takePending() -> (entries: [PendingWrite<Value>], upTo: UInt64) {
        var out: [PendingWrite<Value>] = []
        out.reserveCapacity(index.count)
        for slot in 0..<index.count {
            let k = index.keys[slot]
            out.append(PendingWrite(owner: k.owner, user: k.user, seq: index.seq(slot), value: values[slot]))
        }
        return (out, lastSeq)
    }

    /// Drops the entries a flush committed, unless a write replaced them meanwhile (their sequence number
    /// changed). `refused` (positions in `batch`) were rejected by the database: dropped too, and their
    /// owners' counts are re-read, since the merged view lost them.
    func dropFlushed(_ batch: ArraySlice<PendingWrite<Value>>, refused: [Int]) {
        var changed = false
        for e in batch {
            let slot = index.find(e.owner, e.user)
            if slot >= 0 && index.seq(slot) == e.seq {
                removeSlot(slot)
                changed = true
            }
        }
        for r in refused where batch.indices.contains(batch.startIndex + r) {
            index.dropCounts(batch[batch.startIndex + r].owner)
        }
        if changed { generation &+= 1 }
        if let capacity = index.shrinkIfSparse() { values = ShardIndex.copy(values, capacity: capacity) }
    }

    // MARK: - Snapshot

    /// The shard's snapshot when it changed since the last saved one: the file's bytes (nil when the shard
    /// is empty and its file should go), the entry count, and the generation the image reflects.
    func snapshotImage() throws -> (bytes: [UInt8]?, entries: Int, generation: UInt64)? {
        guard generation != savedGeneration else { return nil }
        let n = index.count
        if n == 0 { return (nil, 0, generation) }
        var encoder = SnapshotEncoder(shardIndex: number, shardCount: shardCount, expectedEntries: n)
        for slot in 0..<n {
            let k = index.keys[slot]
            let seq = index.seq(slot)
            if let v = values[slot] {
                guard encoder.appendUpsert(owner: k.owner, user: k.user, seq: seq, value: v) else {
                    throw WriteBehindError.invalidConfiguration(
                        "\(table.name): a value of (owner \(k.owner), user \(k.user)) encodes to more than 65535 bytes")
                }
            } else {
                encoder.appendDelete(owner: k.owner, user: k.user, seq: seq)
            }
        }
        return (encoder.finish(maxSeq: lastSeq), n, generation)
    }

    /// Records that the image of `generation` is durably on disk.
    func snapshotSaved(_ generation: UInt64) {
        if generation > savedGeneration { savedGeneration = generation }
    }

    // MARK: - Internals

    private func ensureWritable() throws {
        if closed { throw WriteBehindError.closed(cache: table.name) }
    }

    /// The stored value, for a key with no pending entry. Skips the database when the owner's counts show
    /// that every stored row is already shadowed by a pending entry (e.g. a new item receiving votes).
    private func stored(_ owner: Int64, _ user: Int64) throws -> Value? {
        if index.storedVisible(owner) == 0 { return nil }
        return try store.read { try table.fetch($0, owner: owner, user: user) }
    }

    /// Loads the owner's merged counts when missing: stored counts, corrected by each pending entry
    /// against its stored row, all read in one transaction so a concurrent flush cannot be half-seen.
    @discardableResult
    private func ensureCounts(_ owner: Int64) throws -> ArraySlice<Int> {
        if let c = index.counts(of: owner) {
            index.touch(owner)
            return c
        }
        let n = index.categoryCount
        let slots = index.slots(of: owner)
        let counts: [Int] = try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            let raw = try table.counts(c, owner: owner)
            var counts = (0..<n).map { $0 < raw.count ? raw[$0] : 0 }
            for slot in slots {
                if let s = try table.fetch(c, owner: owner, user: index.keys[slot].user) {
                    counts[Self.bucket(s.category, n)] -= 1
                }
                if let v = values[slot] { counts[Self.bucket(v.category, n)] += 1 }
            }
            return counts
        }
        index.setCounts(owner, counts)
        index.evictIdleCounts(limit: countedOwnerLimit)
        return counts[...]
    }

    @inline(__always) private static func bucket(_ category: Int, _ n: Int) -> Int {
        category >= 0 && category < n ? category : 0
    }

    /// Gives (owner, user) a new pending state with the next sequence number.
    private func record(_ owner: Int64, _ user: Int64, _ slot: Int, _ value: Value?) throws {
        if slot >= 0 {
            lastSeq &+= 1
            index.update(slot, seq: lastSeq, upsert: value != nil)
            values[slot] = value
        } else {
            guard index.count < ShardIndex.maxEntries else { throw WriteBehindError.full(cache: table.name) }
            lastSeq &+= 1
            if values.count == values.capacity { values.reserveCapacity(ShardIndex.grownCapacity(values.count)) }
            _ = index.insert(owner, user, seq: lastSeq, upsert: value != nil)
            values.append(value)
        }
        generation &+= 1
    }

    private func removeSlot(_ slot: Int) {
        if index.remove(slot) { values[slot] = values[values.count - 1] }
        values.removeLast()
    }
}

/// A shard's entries built from a snapshot before the shard exists.
struct ShardContents<Value: WriteBehindValue> {
    var index: ShardIndex
    var values: [Value?] = []

    /// Empty contents.
    init(categoryCount: Int) {
        index = ShardIndex(categoryCount: categoryCount)
    }

    /// Adds a loaded entry; false when its key is already present (a corrupt file).
    mutating func add(_ e: SnapshotEntry<Value>) -> Bool {
        guard index.find(e.owner, e.user) < 0, index.count < ShardIndex.maxEntries else { return false }
        if values.count == values.capacity { values.reserveCapacity(ShardIndex.grownCapacity(values.count)) }
        _ = index.insert(e.owner, e.user, seq: e.seq, upsert: e.value != nil)
        values.append(e.value)
        return true
    }
}
