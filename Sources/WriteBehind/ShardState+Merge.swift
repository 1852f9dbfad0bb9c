import Store

extension ShardState {
    /// The merged entries of `owner` strictly after `start` (nil: from the first), past the first `skip`
    /// of them, at most `limit`: stored rows read from the table in chunks from `start` on, without those
    /// a pending entry hides, interleaved with the pending upserts of `order` in that range. Skipped
    /// upserts are passed in O(log k) by rank; skipped stored rows are read.
    func mergeForward(_ c: Connection, owner: Int64, order: OwnerOrder, after start: PageKey?, skip: Int,
                      limit: Int) throws -> [(user: Int64, value: Value)] {
        var out: [(user: Int64, value: Value)] = []
        guard limit > 0 else { return out }
        out.reserveCapacity(min(limit, 128))
        var toSkip = max(0, skip)
        var nextUpsert = start.map { order.upserts.rank(through: $0) } ?? 0
        var rows: [(user: Int64, value: Value)] = []
        var at = 0
        var cursor = start
        var exhausted = false
        while out.count < limit {
            // The next stored row nobody hides, reading a chunk when the last one is used up.
            var row: (user: Int64, value: Value)?
            while row == nil {
                if at == rows.count {
                    if exhausted { break }
                    let want = chunkSize(order, after: cursor, needed: limit - out.count, skip: toSkip)
                    rows = try cursor.map { try table.page(c, owner: owner, after: $0, limit: want) }
                        ?? table.page(c, owner: owner, limit: want, offset: 0)
                    at = 0
                    exhausted = rows.count < want
                    guard let last = rows.last else { break }
                    let next = PageKey(sortKey: last.value.sortKey, user: last.user)
                    if let previous = cursor, !(previous < next) { rows = []; exhausted = true; break }   // a table going backwards
                    cursor = next
                }
                let candidate = rows[at]
                at += 1
                if index.find(owner, candidate.user) < 0 { row = candidate }
            }
            // The upserts before that row (all that are left when there is none).
            let upsertsBefore = row.map { order.upserts.rank(of: PageKey(sortKey: $0.value.sortKey, user: $0.user)) }
                ?? order.upserts.count
            var upserts = upsertsBefore - nextUpsert
            if toSkip > 0 {
                let n = min(upserts, toSkip)
                nextUpsert += n
                upserts -= n
                toSkip -= n
            }
            while upserts > 0 && out.count < limit {
                out.append(upsertEntry(owner, order.upserts[rank: nextUpsert]))
                nextUpsert += 1
                upserts -= 1
            }
            guard let row, out.count < limit else { break }
            if toSkip > 0 { toSkip -= 1 } else { out.append(row) }
        }
        return out
    }

    /// The merged entries of `owner` strictly before `end`, at most `limit`, in ascending order: as
    /// `mergeForward`, walking backwards.
    func mergeBackward(_ c: Connection, owner: Int64, order: OwnerOrder, before end: PageKey,
                       limit: Int) throws -> [(user: Int64, value: Value)] {
        var out: [(user: Int64, value: Value)] = []
        guard limit > 0 else { return out }
        out.reserveCapacity(min(limit, 128))
        var nextUpsert = order.upserts.rank(of: end)   // upserts below `end`; the next one is nextUpsert - 1
        var rows: [(user: Int64, value: Value)] = []
        var at = 0
        var cursor = end
        var exhausted = false
        while out.count < limit {
            var row: (user: Int64, value: Value)?
            while row == nil {
                if at == rows.count {
                    if exhausted { break }
                    let want = chunkSize(order, before: cursor, needed: limit - out.count)
                    rows = try table.page(c, owner: owner, before: cursor, limit: want)
                    at = 0
                    exhausted = rows.count < want
                    guard let last = rows.last else { break }
                    let next = PageKey(sortKey: last.value.sortKey, user: last.user)
                    if !(next < cursor) { rows = []; exhausted = true; break }   // a table going forwards
                    cursor = next
                }
                let candidate = rows[at]
                at += 1
                if index.find(owner, candidate.user) < 0 { row = candidate }
            }
            let upsertsAbove = row.map { order.upserts.rank(through: PageKey(sortKey: $0.value.sortKey, user: $0.user)) } ?? 0
            while nextUpsert > upsertsAbove && out.count < limit {
                nextUpsert -= 1
                out.append(upsertEntry(owner, order.upserts[rank: nextUpsert]))
            }
            guard let row, out.count < limit else { break }
            out.append(row)
        }
        out.reverse()
        return out
    }

    /// The pending upsert at `key`.
    private func upsertEntry(_ owner: Int64, _ key: PageKey) -> (user: Int64, value: Value) {
        let slot = index.find(owner, key.user)
        // The order holds exactly the pending upserts, so the slot exists and holds a value.
        return (key.user, values[slot]!)
    }

    /// Stored rows to read after `cursor`: what the page still needs, plus the rows it skips, plus the
    /// hidden ones that may come first (bounded, so one chunk stays small; more chunks follow if needed).
    private func chunkSize(_ order: OwnerOrder, after cursor: PageKey?, needed: Int, skip: Int) -> Int {
        let hiddenAhead = order.hidden.count - (cursor.map { order.hidden.rank(through: $0) } ?? 0)
        return Self.clamp(needed, skip, min(hiddenAhead, 16))
    }

    private func chunkSize(_ order: OwnerOrder, before cursor: PageKey, needed: Int) -> Int {
        Self.clamp(needed, 0, min(order.hidden.rank(of: cursor), 16))
    }

    private static func clamp(_ needed: Int, _ skip: Int, _ extra: Int) -> Int {
        let (a, o1) = needed.addingReportingOverflow(skip)
        let (b, o2) = a.addingReportingOverflow(extra)
        return o1 || o2 ? 1000 : max(16, min(b, 1000))
    }
}
