/// One owner's pending entries in page order: the keys of its pending upserts, and the keys of the stored
/// rows its pending entries hide (deletes, and replacements of stored rows). With them a page finds where
/// it starts, and which pending rows it holds, in O(log k) for k pending entries.
struct OwnerOrder {
    var upserts = SortedKeys()
    var hidden = SortedKeys()
}

/// The hidden stored rows as the page's read transaction sees them: the shadows of the owner's order,
/// corrected for entries whose flush batch is being committed right now (their stored row may already
/// be the flushed value), which the page read back in its own transaction.
struct HiddenRows {
    let keys: SortedKeys
    /// Shadow keys that the database no longer has, and stored keys it has instead (sorted).
    var gone: [PageKey] = []
    var added: [PageKey] = []

    /// Hidden stored rows in all.
    var count: Int { keys.count - gone.count + added.count }

    /// Hidden stored rows below `key`.
    func rank(of key: PageKey) -> Int {
        var n = keys.rank(of: key)
        if !gone.isEmpty || !added.isEmpty {
            n -= HiddenRows.below(gone, key)
            n += HiddenRows.below(added, key)
        }
        return n
    }

    private static func below(_ sorted: [PageKey], _ key: PageKey) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
