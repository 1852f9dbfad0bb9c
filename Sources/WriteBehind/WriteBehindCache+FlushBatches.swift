/// A batch a flush committed, whose shards may not have been told yet.
struct CommittedBatch: Sendable {
    var window: FlushWindow
    var batch: ArraySlice<FlushRef>
    /// Positions in `batch` of the rows the database refused.
    var refused: [Int]
    /// Per taken image: whether the batch holds entries of it.
    var touched: [Bool]
}

extension WriteBehindCache {
    // MARK: - Flush batches and the shards' shadows

    // A shard's offset pages count the stored rows its pending entries hide from what each entry recorded.
    // A batch changes those rows: its shards are told before it commits (pages then read the batch's rows
    // back) and after (the entries then hide the flushed values). Telling them after costs an actor hop and
    // a slot lookup per row, so it is done while the next batch commits, off the flush's critical path.

    /// `applyBatch`, with the batch's shards told first; meanwhile the shards of the batch before
    /// (`announcing`, then nil) are told it committed.
    func commitBatch(_ batch: ArraySlice<FlushRef>, of taken: [(shard: Int, image: PendingImage<Table.Value>)],
                     marks: [FlushMark], announcing: inout CommittedBatch?) async throws -> CommittedBatch {
        let first = batch[batch.startIndex], last = batch[batch.endIndex - 1]
        let window = FlushWindow(first: EntryKey(owner: first.owner, user: first.user),
                                 last: EntryKey(owner: last.owner, user: last.user))
        var touched = Array(repeating: false, count: taken.count)
        for r in batch { touched[Int(r.image)] = true }
        for n in taken.indices where touched[n] { await shards[taken[n].shard].flushBatchStarting(window) }
        async let committing = applyBatch(batch, of: taken.map(\.image), marks: marks)
        if let previous = announcing {
            await announce(previous, taken)
            announcing = nil
        }
        let refused: [Int]
        do {
            refused = try await committing
        } catch {
            for n in taken.indices where touched[n] {
                await shards[taken[n].shard].flushBatchEnded(window, committed: [])
            }
            throw error
        }
        return CommittedBatch(window: window, batch: batch, refused: refused, touched: touched)
    }

    /// Tells the shards of a committed batch which values are now stored.
    func announce(_ committed: CommittedBatch, _ taken: [(shard: Int, image: PendingImage<Table.Value>)]) async {
        var rows = Array(repeating: [CommittedRow](), count: taken.count)
        var isRefused = Array(repeating: false, count: committed.batch.count)
        for j in committed.refused { isRefused[j] = true }
        let columns = taken.map(\.image.values)
        for (j, r) in committed.batch.enumerated() where !isRefused[j] {
            // Unwrapped by hand: optional chaining on a generic value costs a metadata lookup.
            var sortKey: Int64?
            if let v = columns[Int(r.image)][Int(r.slot)] { sortKey = v.sortKey }
            rows[Int(r.image)].append(CommittedRow(owner: r.owner, user: r.user, slot: r.slot, sortKey: sortKey))
        }
        for n in taken.indices where committed.touched[n] {
            await shards[taken[n].shard].flushBatchEnded(committed.window, committed: rows[n])
        }
    }
}
