import Store

/// The (owner, user) keys a flush batch covers, in the flush's (owner, user) order.
struct FlushWindow: Sendable, Equatable {
    var first: EntryKey
    var last: EntryKey

    /// The users of `owner` the batch may hold, or nil when it holds none.
    func users(of owner: Int64) -> ClosedRange<Int64>? {
        guard first.owner <= owner && owner <= last.owner else { return nil }
        let from = first.owner == owner ? first.user : .min
        let through = last.owner == owner ? last.user : .max
        return from <= through ? from ... through : nil
    }
}

/// A row a flush batch committed: where it was in the flushed image, and the sort key of the value now
/// stored (nil: deleted). Not generic, so building thousands per batch costs no metadata lookups.
struct CommittedRow: Sendable {
    var owner: Int64
    var user: Int64
    /// The entry's slot when the image was taken (still it unless slots moved).
    var slot: Int32
    var sortKey: Int64?
}

extension ShardState {
    /// Owners with at least this many pending entries keep their order between pages; below, a page
    /// sorts them (a few µs) rather than keep memory for every owner ever listed.
    static var keptOrderMinimum: Int { 64 }

    // MARK: - Orders

    /// The owner's pending entries in page order, with its counts (hence its shadows) loaded.
    mutating func pageOrder(_ owner: Int64) throws -> OwnerOrder {
        _ = try count(owner: owner)
        if let kept = orders[owner] { return kept }
        var upserts: [PageKey] = [], hidden: [PageKey] = []
        for slot in index.slots(of: owner) {
            let user = index.keys[slot].user
            if let v = values[slot] { upserts.append(PageKey(sortKey: v.sortKey, user: user)) }
            if let s = shadows[slot] { hidden.append(PageKey(sortKey: s, user: user)) }
        }
        upserts.sort(by: <)
        hidden.sort(by: <)
        let order = OwnerOrder(upserts: SortedKeys(sorted: upserts), hidden: SortedKeys(sorted: hidden))
        if index.pendingCount(of: owner) >= Self.keptOrderMinimum { orders[owner] = order }
        return order
    }

    /// Keeps a kept order in step with an entry whose pending value changes.
    mutating func reorder(_ owner: Int64, _ user: Int64, from old: Value?, to new: Value?) {
        guard let i = orders.index(forKey: owner) else { return }
        if let o = old { orders.values[i].upserts.remove(PageKey(sortKey: o.sortKey, user: user)) }
        if let n = new { orders.values[i].upserts.insert(PageKey(sortKey: n.sortKey, user: user)) }
    }

    /// Keeps a kept order in step with an entry whose hidden stored row changes.
    mutating func reshadow(_ owner: Int64, _ user: Int64, from old: Int64?, to new: Int64?) {
        guard let i = orders.index(forKey: owner) else { return }
        if let o = old { orders.values[i].hidden.remove(PageKey(sortKey: o, user: user)) }
        if let n = new { orders.values[i].hidden.insert(PageKey(sortKey: n, user: user)) }
    }

    // MARK: - Flush batches

    /// A flush is about to commit the batch `window`: until it says how that went, offset pages read the
    /// stored rows of the entries in it back instead of trusting their shadows.
    mutating func flushBatchStarting(_ window: FlushWindow) {
        flushingBatches.append(window)
    }

    /// The batch `window` was committed with `rows` (empty when it was not): their entries now hide the
    /// flushed values.
    mutating func flushBatchEnded(_ window: FlushWindow, committed rows: [CommittedRow]) {
        if let i = flushingBatches.firstIndex(of: window) { flushingBatches.remove(at: i) }
        for row in rows {
            var slot = Int(row.slot)
            if slot >= index.count || index.keys[slot] != EntryKey(owner: row.owner, user: row.user) {
                slot = index.find(row.owner, row.user)
                if slot < 0 { continue }   // forgotten meanwhile
            }
            let new = row.sortKey
            let old = shadows[slot]
            guard old != new else { continue }
            shadows[slot] = new
            if !orders.isEmpty { reshadow(row.owner, row.user, from: old, to: new) }
        }
    }

    /// The owner's hidden stored rows as of the read transaction `c`: when flush batches holding some of
    /// its entries are being committed (or were, and the shard was not told yet), those entries' stored
    /// rows are read back (two batches at most).
    func hiddenRows(_ c: Connection, owner: Int64, order: OwnerOrder) throws -> HiddenRows {
        var hidden = HiddenRows(keys: order.hidden)
        if flushingBatches.isEmpty { return hidden }
        let ranges = flushingBatches.compactMap { $0.users(of: owner) }
        if ranges.isEmpty { return hidden }
        for slot in index.slots(of: owner) {
            let user = index.keys[slot].user
            guard ranges.contains(where: { $0.contains(user) }) else { continue }
            let stored = try table.fetch(c, owner: owner, user: user)?.sortKey
            let shadow = shadows[slot]
            guard stored != shadow else { continue }
            if let s = shadow { hidden.gone.append(PageKey(sortKey: s, user: user)) }
            if let s = stored { hidden.added.append(PageKey(sortKey: s, user: user)) }
        }
        hidden.gone.sort(by: <)
        hidden.added.sort(by: <)
        return hidden
    }
}
