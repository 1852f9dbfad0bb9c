import FoundationEssentials
import Store

extension WriteBehindCache {
    // MARK: - Flush

    /// Applies every pending write to the database in transactions of at most `flushBatchSize` rows, in
    /// (owner, user) order so neighbouring rows share B-tree pages, then drops exactly the entries applied
    /// (a write that arrived meanwhile stays). A batch refused with a constraint violation is retried row
    /// by row and only the refused rows are dropped (and logged); any other failure keeps the rest pending
    /// and throws. The last batch records each shard's flushed_seq. One flush at a time.
    public func flush() async throws -> FlushReport {
        try await flushGate.withLock { try await self.flushAll() }
    }

    private func flushAll() async throws -> FlushReport {
        let started = ContinuousClock.now
        var images: [(shard: Int, image: PendingImage<Table.Value>)] = []
        for (i, shard) in shards.enumerated() {
            let image = await shard.pendingImage()
            if image.count > 0 { images.append((i, image)) }
        }
        let result: (rows: Int, rejected: Int)
        do {
            result = try await apply(images)
        } catch {
            state.withLock { s in
                s.flushFailures += 1
                s.lastFlushError = String(describing: error)
            }
            throw error
        }
        let report = FlushReport(rows: result.rows, rejected: result.rejected, duration: Self.seconds(since: started))
        state.withLock { s in
            s.lastFlushRows = report.rows
            s.lastFlushRejected = report.rejected
            s.lastFlushDuration = report.duration
            s.lastFlushError = nil
            s.lastFlushAt = Date()
        }
        return report
    }

    private func apply(_ taken: [(shard: Int, image: PendingImage<Table.Value>)]) async throws -> (rows: Int, rejected: Int) {
        let images = taken.map(\.image)
        var order: [FlushRef] = []
        order.reserveCapacity(images.reduce(0) { $0 + $1.count })
        for (n, image) in images.enumerated() {
            for (i, k) in image.keys.enumerated() {
                order.append(FlushRef(owner: k.owner, user: k.user, image: Int32(n), slot: Int32(i)))
            }
        }
        order.sort { $0.owner < $1.owner || ($0.owner == $1.owner && $0.user < $1.user) }
        let marks = taken.map { FlushMark(shard: $0.shard, seq: $0.image.lastSeq) }
        var refused: [FlushRef] = []
        var unannounced: CommittedBatch?   // its shards are told while the next batch commits
        var at = 0
        while at < order.count {
            let end = min(at + batchSize, order.count)
            do {
                if flushAbort.load(ordering: .relaxed) { throw WriteBehindError.shutdownDeadline(cache: name) }
                let batch = order[at..<end]
                let committed = try await commitBatch(batch, of: taken, marks: end == order.count ? marks : [],
                                                      announcing: &unannounced)
                for j in committed.refused { refused.append(batch[at + j]) }
                unannounced = committed
            } catch {
                if let last = unannounced { await announce(last, taken) }
                // Drop what earlier batches committed, keep the rest pending.
                await dropCommitted(order[..<at], refused: refused, taken)
                throw error
            }
            at = end
        }
        if let last = unannounced { await announce(last, taken) }
        var refusedOwners = Array(repeating: [Int64](), count: images.count)
        for r in refused { refusedOwners[Int(r.image)].append(r.owner) }
        for (n, entry) in taken.enumerated() {
            await shards[entry.shard].dropFlushed(entry.image, refusedOwners: refusedOwners[n])
        }
        return (order.count - refused.count, refused.count)
    }

    /// After a failed flush: drops the entries of the batches that did commit (and those refused in them),
    /// entry by entry.
    private func dropCommitted(_ committed: ArraySlice<FlushRef>, refused: [FlushRef],
                               _ taken: [(shard: Int, image: PendingImage<Table.Value>)]) async {
        let refusedSlots = Set(refused.map { Int64($0.image) << 32 | Int64($0.slot) })
        var applied = Array(repeating: [PendingWrite<Table.Value>](), count: taken.count)
        var refusedWrites = applied
        for r in committed {
            let write = taken[Int(r.image)].image.write(at: Int(r.slot))
            if refusedSlots.contains(Int64(r.image) << 32 | Int64(r.slot)) {
                refusedWrites[Int(r.image)].append(write)
            } else {
                applied[Int(r.image)].append(write)
            }
        }
        for n in taken.indices where !applied[n].isEmpty || !refusedWrites[n].isEmpty {
            await shards[taken[n].shard].dropFlushed(applied[n], refused: refusedWrites[n])
        }
    }

    /// One transaction for the rows `batch` points at in `images` (plus the flushed_seq `marks`); on a
    /// constraint violation, a second one row by row. Returns the positions in `batch` of refused rows.
    func applyBatch(_ batch: ArraySlice<FlushRef>, of images: [PendingImage<Table.Value>],
                    marks: [FlushMark]) async throws -> [Int] {
        let table = self.table
        let name = self.name
        let columns = images.map(\.values)
        do {
            try await store.write { c in
                try BatchApplier.apply(table, c, batch, columns)
                for m in marks { try FlushState.record(c, cache: name, shard: m.shard, seq: m.seq) }
            }
            return []
        } catch let e as StoreError where e.isConstraintViolation {
            let refusals = try await store.write { c in
                let refused = try BatchApplier.applyEach(table, c, batch, columns)
                for m in marks { try FlushState.record(c, cache: name, shard: m.shard, seq: m.seq) }
                return refused.map { PendingRefusal(position: $0.0, reason: $0.1) }
            }
            for r in refusals {
                let ref = batch[batch.startIndex + r.position]
                log("write-behind \(name): dropped (owner \(ref.owner), user \(ref.user)), refused by the database: \(r.reason)")
            }
            return refusals.map(\.position)
        }
    }
}

/// A row refused during a flush (Sendable across the writer thread).
struct PendingRefusal: Sendable {
    var position: Int
    var reason: String
}

/// A pending entry's place in a flush, sorted by (owner, user); not generic, so sorting is fast.
struct FlushRef: Sendable {
    var owner: Int64
    var user: Int64
    var image: Int32
    var slot: Int32
}

/// The flushed_seq a flush records for a shard.
struct FlushMark: Sendable {
    var shard: Int
    var seq: UInt64
}
