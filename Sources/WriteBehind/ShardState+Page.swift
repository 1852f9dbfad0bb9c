import Store

extension ShardState {
    /// Below this offset (in the front half of its rows) an owner without pending entries is read with one
    /// OFFSET query; from it on, the start is located over the index alone first (`storedKey`), which spares
    /// SQLite reading the rows it skips.
    static var indexSeekOffset: Int { 64 }
    /// A page stops narrowing down where it starts once that is within this many stored rows, and reads them.
    static var seekSlack: Int { 32 }

    /// The owner's merged entries strictly after `key`, at most `limit`, in (sortKey, user) order:
    /// O(limit + log k) for k pending entries of the owner, plus the stored rows pending entries hide
    /// within the page.
    mutating func page(owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        guard limit > 0 else { return [] }
        if index.pendingCount(of: owner) == 0 {
            return try store.read { try table.page($0, owner: owner, after: key, limit: limit) }
        }
        let order = try pageOrder(owner)
        return try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            return try mergeForward(c, owner: owner, order: order, after: key, skip: 0, limit: limit)
        }
    }

    /// The owner's merged entries strictly before `key`, at most `limit` (the last ones), in (sortKey,
    /// user) order; costs as `page(owner:after:limit:)`.
    mutating func page(owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        guard limit > 0 else { return [] }
        if index.pendingCount(of: owner) == 0 {
            return try store.read { Array(try table.page($0, owner: owner, before: key, limit: limit).reversed()) }
        }
        let order = try pageOrder(owner)
        return try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            return try mergeBackward(c, owner: owner, order: order, before: key, limit: limit)
        }
    }

    /// A page of the owner's merged entries in (sortKey, user) order, by position in the merged list.
    ///
    /// The merged position of a stored row S[i] is f(i) = i − (hidden stored rows before it) + (pending
    /// upserts before it), both known in O(log k) from the owner's order. The page starts after the last
    /// stored row with f ≤ offset, which lies among the stored rows [offset − upserts, offset + hidden]:
    /// that range is narrowed by reading single keys over the index (`storedKey`, relative to the best
    /// start found so far), guessing as if no pending entry lay in between and halving when a guess does
    /// not halve the range. Then the page merges from there. Cost: SQLite's O(min(offset, count − offset))
    /// steps over the index (the first key is read from the nearer end), a few key reads, and O(limit +
    /// log k) rows and work.
    mutating func page(owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)] {
        guard limit > 0 else { return [] }
        let offset = max(0, offset)
        if index.pendingCount(of: owner) == 0 { return try storedPage(owner: owner, limit: limit, offset: offset) }
        let total = try count(owner: owner)
        guard offset < total else { return [] }
        let order = try pageOrder(owner)
        return try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            let hidden = try hiddenRows(c, owner: owner, order: order)
            let start = try pageStart(c, owner: owner, order: order, hidden: hidden, total: total, offset: offset)
            return try mergeForward(c, owner: owner, order: order, after: start.after, skip: offset - start.position,
                                    limit: limit)
        }
    }

    /// Stored rows only (no pending entry of the owner). In the back half of the owner's rows (counted
    /// already: no query to learn how many) the row before the page is located from the end of the index,
    /// so that a page costs O(min(offset, count − offset) + limit) steps wherever it lies.
    private func storedPage(owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)] {
        if let total = index.storedVisible(owner), offset > total / 2 {
            guard offset < total else { return [] }
            let page = try store.read { c -> [(user: Int64, value: Value)]? in
                try c.execute("BEGIN")
                defer { try? c.execute("COMMIT") }
                // The row just before the page is the (total − offset + 1)-th from the end.
                guard let last = try table.storedKey(c, owner: owner, before: nil, distance: total - offset + 1) else {
                    return nil
                }
                return try table.page(c, owner: owner, after: last, limit: limit)
            }
            // nil: fewer rows than counted (written behind the cache's back); read from the start then.
            if let page { return page }
        }
        if offset < Self.indexSeekOffset {
            return try store.read { try table.page($0, owner: owner, limit: limit, offset: offset) }
        }
        return try store.read { c in
            try c.execute("BEGIN")
            defer { try? c.execute("COMMIT") }
            guard let last = try table.storedKey(c, owner: owner, after: nil, distance: offset) else { return [] }
            return try table.page(c, owner: owner, after: last, limit: limit)
        }
    }

    /// Where a page at `offset` starts merging: after `after` (nil: from the first entry), at merged
    /// position `position` ≤ offset, within `seekSlack` stored rows of the page (or exactly at it).
    private func pageStart(_ c: Connection, owner: Int64, order: OwnerOrder, hidden: HiddenRows, total: Int,
                           offset: Int) throws -> (after: PageKey?, position: Int) {
        let stored = total - order.upserts.count + hidden.count
        guard stored > 0 else { return (nil, 0) }
        // f(lo) ≤ lo + upserts ≤ offset, and f(i) ≥ i − hidden > offset from offset + hidden + 1 on.
        var lo = min(max(0, offset - order.upserts.count), stored - 1)
        var end = min(stored, offset + hidden.count + 1)
        func position(_ i: Int, _ key: PageKey) -> Int { i - hidden.rank(of: key) + order.upserts.rank(of: key) }
        // A missing row means the counts disagree with the table (written behind the cache's back): start
        // from the first row, which is slow but still a page.
        // The first key is read from the nearer end of the index (stored row lo is the (stored − lo)-th from
        // the end).
        let first = lo < stored / 2 ? try table.storedKey(c, owner: owner, after: nil, distance: lo + 1)
            : try table.storedKey(c, owner: owner, before: nil, distance: stored - lo)
        guard var loKey = first else { return (nil, 0) }
        var loPosition = position(lo, loKey)
        // Only at lo = 0: the page starts among the upserts before the first stored row.
        if loPosition > offset { return (nil, 0) }
        var halve = false
        while loPosition < offset && end - lo > Self.seekSlack {
            let width = end - lo
            var guess = halve ? lo + width / 2 : lo + (offset - loPosition)
            guess = min(max(guess, lo + 1), end - 1)
            if let key = try table.storedKey(c, owner: owner, after: loKey, distance: guess - lo) {
                let p = position(guess, key)
                if p <= offset {
                    lo = guess
                    loKey = key
                    loPosition = p
                } else {
                    end = guess
                }
            } else {
                end = guess
            }
            halve = (end - lo) * 2 > width
        }
        return (loKey.predecessor, loPosition)
    }
}
