import Store

extension ShardState {
    /// A page of the owner's merged entries in (sortKey, user) order.
    ///
    /// With k pending entries for the owner, a stored row's merged position is within k of its stored
    /// position, so one window of stored rows [offset − k, offset + limit + k) holds every stored row of
    /// the page. When the window does not start at 0, the merged position of its first row needs the
    /// number of hidden stored rows before it: the k pending users' stored rows are looked up for that.
    /// Cost: O(limit + k) rows plus, only when offset > k, k point reads; all in one read transaction.
    func page(owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)] {
        guard limit > 0 else { return [] }
        let offset = max(0, offset)
        var pendingUsers = Set<Int64>()
        var upserts: [(user: Int64, value: Value)] = []
        for slot in index.slots(of: owner) {
            let user = index.keys[slot].user
            pendingUsers.insert(user)
            if let v = values[slot] { upserts.append((user, v)) }
        }
        if pendingUsers.isEmpty {
            return try store.read { try table.page($0, owner: owner, limit: limit, offset: offset) }
        }
        upserts.sort { Self.precedes(($0.value.sortKey, $0.user), ($1.value.sortKey, $1.user)) }
        let k = pendingUsers.count
        let start = offset > k ? offset - k : 0
        let (w, o1) = limit.addingReportingOverflow(2 * k)
        let windowLimit = o1 ? Int.max : w
        let (pageEnd, o2) = offset.addingReportingOverflow(limit)
        let end = o2 ? Int.max : pageEnd

        return try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            let window = try table.page(c, owner: owner, limit: windowLimit, offset: start)
            let exhausted = window.count < windowLimit
            var position: Int          // merged position of the next element emitted
            var u = 0                  // next upsert to merge
            if start == 0 {
                position = 0
            } else {
                guard let first = window.first else { return [] }   // fewer than `start` stored rows: past the end
                let firstKey = (first.value.sortKey, first.user)
                var hiddenBefore = 0
                for user in pendingUsers {
                    if let s = try table.fetch(c, owner: owner, user: user),
                       Self.precedes((s.sortKey, user), firstKey) {
                        hiddenBefore += 1
                    }
                }
                while u < upserts.count && Self.precedes((upserts[u].value.sortKey, upserts[u].user), firstKey) {
                    u += 1
                }
                // Upserts before the window sit before `offset` (position ≤ start + k − 1 < offset).
                position = start - hiddenBefore + u
            }
            var out: [(user: Int64, value: Value)] = []
            out.reserveCapacity(min(limit, window.count + upserts.count))
            var w = 0
            while position < end {
                while w < window.count && pendingUsers.contains(window[w].user) { w += 1 }   // hidden
                let takeUpsert: Bool
                if w < window.count {
                    takeUpsert = u < upserts.count && Self.precedes(
                        (upserts[u].value.sortKey, upserts[u].user), (window[w].value.sortKey, window[w].user))
                } else if exhausted {
                    guard u < upserts.count else { break }
                    takeUpsert = true
                } else {
                    break   // the window covered every position up to `end`
                }
                let element = takeUpsert ? upserts[u] : window[w]
                if takeUpsert { u += 1 } else { w += 1 }
                if position >= offset { out.append(element) }
                position += 1
            }
            return out
        }
    }

    /// (sortKey, user) order.
    @inline(__always) static func precedes(_ a: (Int64, Int64), _ b: (Int64, Int64)) -> Bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
    }
}
