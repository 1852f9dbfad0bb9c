import Store

/// A pending write as handed to a flush: a value for an insert/update, nil for a delete.
struct PendingWrite<Value: Sendable>: Sendable {
    var owner: Int64
    var user: Int64
    var seq: UInt64
    var value: Value?
}

/// A shard's pending state at one moment, as the shard's own copy-on-write arrays: taking it costs O(1)
/// inside the actor (the shard's next write pays one array copy), and it is encoded or flushed outside.
struct PendingImage<Value: Sendable>: Sendable {
    var keys: [EntryKey]
    var stamps: [UInt64]
    var values: [Value?]
    /// The shard's counter when taken: every write up to it is in the image or already in the database.
    var lastSeq: UInt64
    /// The shard's change generation the image reflects.
    var generation: UInt64
    /// The index's slot epoch when taken.
    var epoch: UInt64

    var count: Int { keys.count }

    func write(at i: Int) -> PendingWrite<Value> {
        PendingWrite(owner: keys[i].owner, user: keys[i].user, seq: ShardIndex.seq(ofStamp: stamps[i]), value: values[i])
    }
}

extension ShardState {
    // MARK: - Flush and snapshot

    /// The pending state now (O(1): copy-on-write arrays).
    func pendingImage() -> PendingImage<Value> {
        PendingImage(keys: index.keys, stamps: index.stamps, values: values, lastSeq: lastSeq, generation: generation,
                     epoch: index.epoch)
    }

    /// The pending state when it changed since the last saved snapshot, else nil.
    func snapshotImage() -> PendingImage<Value>? {
        generation == savedGeneration ? nil : pendingImage()
    }

    /// Records that the image of `generation`, taken when the counter was `seq`, is durably on disk.
    mutating func snapshotSaved(generation: UInt64, seq: UInt64) {
        if generation > savedGeneration { savedGeneration = generation }
        if seq > savedSeq { savedSeq = seq }
    }

    /// Drops every entry of `image` once the whole image was committed, unless a write replaced it
    /// meanwhile (its sequence number changed). While no slot moved since the image, entries are found by
    /// slot number, and when many go the shard is rebuilt in one pass. `refusedOwners` lost rows the
    /// database refused: their counts are re-read.
    mutating func dropFlushed(_ image: PendingImage<Value>, refusedOwners: [Int64]) {
        var changed = false
        if image.epoch == index.epoch {
            let dropped = index.unchangedSlots(since: image.stamps)
            changed = !dropped.isEmpty
            if dropped.count >= 256 && dropped.count * 8 >= index.count {
                var kept: [Int] = []
                kept.reserveCapacity(index.count - dropped.count)
                var d = 0
                for slot in 0..<index.count {
                    if d < dropped.count && dropped[d] == slot { d += 1 } else { kept.append(slot) }
                }
                index.rebuild(keeping: kept)
                var newValues: [Value?] = []
                newValues.reserveCapacity(ShardIndex.grownCapacity(kept.count))
                for slot in kept { newValues.append(values[slot]) }
                values = newValues
                shadows.keep(kept)
                orders = [:]   // rebuilt by the next page of each owner, from what is left
            } else {
                for slot in dropped.reversed() { removeSlot(slot) }   // descending: no slot in the list moves
            }
        } else {
            for i in 0..<image.count where drop(image.write(at: i)) { changed = true }
        }
        for owner in refusedOwners { index.dropCounts(owner) }
        if changed { generation &+= 1 }
        shrinkIfSparse()
    }

    /// Drops the entries a flush committed, unless a write replaced them meanwhile (their sequence number
    /// changed). `refused` rows were rejected by the database: dropped too, and their owners' counts are
    /// re-read, since the merged view lost them.
    mutating func dropFlushed(_ applied: [PendingWrite<Value>], refused: [PendingWrite<Value>]) {
        var changed = false
        for e in applied where drop(e) { changed = true }
        for e in refused {
            if drop(e) { changed = true }
            index.dropCounts(e.owner)
        }
        if changed { generation &+= 1 }
        shrinkIfSparse()
    }

    private mutating func shrinkIfSparse() {
        guard let capacity = index.shrinkIfSparse() else { return }
        values = ShardIndex.copy(values, capacity: capacity)
        shadows.shrink(to: capacity)
    }

    private mutating func drop(_ e: PendingWrite<Value>) -> Bool {
        let slot = index.find(e.owner, e.user)
        guard slot >= 0 && index.seq(slot) == e.seq else { return false }
        removeSlot(slot)
        return true
    }
}
