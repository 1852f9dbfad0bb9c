import Store

/// The pending state of one shard and everything done to it: merged reads, writes with their sequence
/// numbers, per-owner counts. A plain struct, so its work runs without dynamic exclusivity checks; the
/// `Shard` actor owns one and serialises access to it. Database reads are synchronous `store.read` calls
/// (microseconds).
struct ShardState<Table: WriteBehindTable> {
    typealias Value = Table.Value

    let table: Table
    let store: Store
    /// Owners kept only for their counts, beyond which idle ones are evicted.
    let countedOwnerLimit: Int
    var index: ShardIndex
    /// Parallel to `index.keys`: the pending value, nil for a pending delete.
    var values: [Value?] = []
    /// Parallel to `index.keys`: the stored row each entry hides (valid while the owner's counts are loaded).
    var shadows = StoredShadows()
    /// Page orders kept for owners with many pending entries (see `ShardState+Order.swift`).
    var orders: [Int64: OwnerOrder] = [:]
    /// The keys of the flush batches being committed, or committed and not yet announced: their stored
    /// rows may change under a page.
    var flushingBatches: [FlushWindow] = []
    /// The last sequence number handed out.
    var lastSeq: UInt64 = 0
    /// Bumped by every change of the pending state; a snapshot is due while it differs from `savedGeneration`.
    var generation: UInt64 = 0
    var savedGeneration: UInt64 = 0
    /// `lastSeq` of the image last saved: pending entries with a higher sequence number are in no
    /// snapshot file (what a crash or a failed shutdown would lose).
    var savedSeq: UInt64 = 0
    var closed = false

    /// An empty shard.
    init(table: Table, store: Store, countedOwnerLimit: Int) {
        self.table = table
        self.store = store
        self.countedOwnerLimit = max(16, countedOwnerLimit)
        index = ShardIndex(categoryCount: table.categoryCount)
    }

    /// Adds an entry loaded from `file`; throws when the key is already present or the shard is full.
    mutating func add(_ e: SnapshotEntry<Value>, file: String) throws {
        guard index.count < ShardIndex.maxEntries else {
            throw WriteBehindError.corruptSnapshot(file: file, reason: "it holds more entries than a shard can (\(ShardIndex.maxEntries))")
        }
        guard index.find(e.owner, e.user) < 0 else {
            throw WriteBehindError.corruptSnapshot(file: file, reason: "it holds (owner \(e.owner), user \(e.user)) twice")
        }
        if values.count == values.capacity { values.reserveCapacity(ShardIndex.grownCapacity(values.count)) }
        _ = index.insert(e.owner, e.user, seq: e.seq, upsert: e.value != nil)
        values.append(e.value)
        shadows.append(nil)   // read with the owner's counts, before any page needs it
    }

    // MARK: - Reads

    /// The merged value of (owner, user).
    func value(owner: Int64, user: Int64) throws -> Value? {
        let slot = index.find(owner, user)
        if slot >= 0 { return values[slot] }
        return try stored(owner, user, visible: index.storedVisible(owner))
    }

    /// The merged counts per category (loaded once, then kept up to date).
    mutating func counts(owner: Int64) throws -> [Int] {
        if let loaded = try ensureCounts(owner) { return loaded }
        return index.counts(of: owner).map(Array.init) ?? []
    }

    /// The merged number of entries of the owner.
    mutating func count(owner: Int64) throws -> Int {
        if let loaded = try ensureCounts(owner) { return loaded.reduce(0, &+) }
        return index.counts(of: owner)?.reduce(0, &+) ?? 0
    }

    /// Pending entries and owners with counts, for stats.
    func sizes() -> (pending: Int, countedOwners: Int) { (index.count, index.countedOwners) }

    /// Pending entries, and those of them in no snapshot file yet (a scan: for reports, not hot paths).
    func durability() -> (pending: Int, unsnapshotted: Int) {
        if generation == savedGeneration { return (index.count, 0) }
        var unsaved = 0
        for stamp in index.stamps where ShardIndex.seq(ofStamp: stamp) > savedSeq { unsaved += 1 }
        return (index.count, unsaved)
    }

    // MARK: - Writes

    /// Inserts when (owner, user) is absent from the merged view; false and no change otherwise.
    mutating func insertIfAbsent(owner: Int64, user: Int64, value: Value) throws -> Bool {
        try ensureWritable()
        let visible = try prepare(owner)
        let slot = index.find(owner, user)
        let previous = slot >= 0 ? values[slot] : try stored(owner, user, visible: visible)
        guard previous == nil else { return false }
        try record(owner, user, slot, value, stored: nil)
        index.moveCount(owner, from: nil, to: value.category)
        return true
    }

    /// Inserts or replaces; returns the previous merged value.
    mutating func put(owner: Int64, user: Int64, value: Value) throws -> Value? {
        try ensureWritable()
        let visible = try prepare(owner)
        let slot = index.find(owner, user)
        let previous = slot >= 0 ? values[slot] : try stored(owner, user, visible: visible)
        // The merged view already says so. (Unwrapped by hand: Optional's == costs generic metadata here.)
        if let p = previous, p == value { return previous }
        try record(owner, user, slot, value, stored: previous)
        index.moveCount(owner, from: previous?.category, to: value.category)
        return previous
    }

    /// Deletes; returns the removed merged value, nil (and no change) when absent.
    mutating func remove(owner: Int64, user: Int64) throws -> Value? {
        try ensureWritable()
        let visible = try prepare(owner)
        let slot = index.find(owner, user)
        guard let previous = slot >= 0 ? values[slot] : try stored(owner, user, visible: visible) else { return nil }
        // Always a delete entry, even over a pending insert: a flush may be writing that insert right now.
        try record(owner, user, slot, nil, stored: previous)
        index.moveCount(owner, from: previous.category, to: nil)
        return previous
    }

    /// Drops the owner's pending entries and counts (the owner is gone from the database).
    mutating func forgetOwner(_ owner: Int64) {
        let slots = index.slots(of: owner).sorted(by: >)
        for slot in slots { removeSlot(slot) }
        index.dropCounts(owner)
        if !slots.isEmpty { generation &+= 1 }
    }

    /// Drops the user's pending entries, and every count (the user's stored rows vanished from owners
    /// this shard cannot enumerate).
    mutating func forgetUser(_ user: Int64) {
        var slots: [Int] = []
        for (slot, key) in index.keys.enumerated() where key.user == user { slots.append(slot) }
        for slot in slots.reversed() { removeSlot(slot) }
        index.dropAllCounts()
        if !slots.isEmpty { generation &+= 1 }
    }

    /// Refuses further writes (shutdown).
    mutating func close() { closed = true }

    // MARK: - Internals

    private func ensureWritable() throws {
        if closed { throw WriteBehindError.closed(cache: table.name) }
    }

    /// The stored value, for a key with no pending entry. Skips the database when the owner's counts show
    /// that every stored row is already shadowed by a pending entry (`visible` = 0: e.g. a new item
    /// receiving votes).
    private func stored(_ owner: Int64, _ user: Int64, visible: Int?) throws -> Value? {
        if visible == 0 { return nil }
        return try store.read { try table.fetch($0, owner: owner, user: user) }
    }

    /// Makes sure the owner's counts are loaded (every write keeps them current); returns its stored rows
    /// not shadowed by pending entries.
    private mutating func prepare(_ owner: Int64) throws -> Int? {
        if let visible = index.touchCounted(owner) { return visible }
        try loadCounts(owner)
        return index.storedVisible(owner)
    }

    /// The owner's counts, loaded when missing (nil when they were loaded already).
    private mutating func ensureCounts(_ owner: Int64) throws -> [Int]? {
        if index.touchCounted(owner) != nil { return nil }
        return try loadCounts(owner)
    }

    /// Loads the owner's merged counts: stored counts, corrected by each pending entry against its stored
    /// row, read in one transaction (when there are pending entries) so a concurrent flush cannot be
    /// half-seen.
    @discardableResult
    private mutating func loadCounts(_ owner: Int64) throws -> [Int] {
        let n = index.categoryCount
        let slots = index.slots(of: owner)
        let counts: [Int] = try store.read { c in
            if !slots.isEmpty { try c.execute("BEGIN") }
            defer { if !slots.isEmpty { try? c.execute("COMMIT") } }
            let raw = try table.counts(c, owner: owner)
            var counts = (0..<n).map { $0 < raw.count ? raw[$0] : 0 }
            for slot in slots {
                let s = try table.fetch(c, owner: owner, user: index.keys[slot].user)
                if let s { counts[Self.bucket(s.category, n)] -= 1 }
                shadows[slot] = s?.sortKey
                if let v = values[slot] { counts[Self.bucket(v.category, n)] += 1 }
            }
            return counts
        }
        orders[owner] = nil   // its hidden keys may have changed: rebuilt by the next page
        index.setCounts(owner, counts)
        index.evictIdleCounts(limit: countedOwnerLimit)
        return counts
    }

    @inline(__always) private static func bucket(_ category: Int, _ n: Int) -> Int {
        category >= 0 && category < n ? category : 0
    }

    /// Gives (owner, user) a new pending state with the next sequence number. `stored` is the stored row,
    /// which a new entry hides (for an existing slot it is the merged value and is not used).
    private mutating func record(_ owner: Int64, _ user: Int64, _ slot: Int, _ value: Value?, stored: Value?) throws {
        if slot >= 0 {
            lastSeq &+= 1
            if !orders.isEmpty { reorder(owner, user, from: values[slot], to: value) }
            index.update(slot, seq: lastSeq, upsert: value != nil)
            values[slot] = value
        } else {
            guard index.count < ShardIndex.maxEntries else { throw WriteBehindError.full(cache: table.name) }
            lastSeq &+= 1
            if values.count == values.capacity { values.reserveCapacity(ShardIndex.grownCapacity(values.count)) }
            _ = index.insert(owner, user, seq: lastSeq, upsert: value != nil)
            values.append(value)
            // Unwrapped by hand: optional chaining on a generic value costs a metadata lookup here.
            var storedKey: Int64?
            if let s = stored { storedKey = s.sortKey }
            shadows.append(storedKey)
            if !orders.isEmpty {
                reorder(owner, user, from: nil, to: value)
                reshadow(owner, user, from: nil, to: storedKey)
            }
        }
        generation &+= 1
    }

    /// Removes a slot, mirroring in `values` and `shadows` the move the index makes (the last slot fills
    /// the hole).
    mutating func removeSlot(_ slot: Int) {
        let key = index.keys[slot]
        if !orders.isEmpty, orders[key.owner] != nil {
            reorder(key.owner, key.user, from: values[slot], to: nil)
            reshadow(key.owner, key.user, from: shadows[slot], to: nil)
        }
        if index.remove(slot) { values[slot] = values[values.count - 1] }
        values.removeLast()
        shadows.removeSlot(slot)
        if !orders.isEmpty && index.pendingCount(of: key.owner) == 0 { orders[key.owner] = nil }
    }
}
