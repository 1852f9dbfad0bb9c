import Store

/// The owners and users snapshot entries name that the database does not have, asked of the table in
/// batches (see `WriteBehindTable.existingOwners`).
enum MissingRows {
    /// Ids per call of `existingOwners` / `existingUsers`.
    static let batch = 500

    /// Of `owners` and `users`, those missing from the database; empty for what the table does not check.
    static func find<T: WriteBehindTable>(_ table: T, _ store: Store, owners: Set<Int64>,
                                          users: Set<Int64>) throws -> (owners: Set<Int64>, users: Set<Int64>) {
        try store.read { c in
            (try missing(among: owners) { try table.existingOwners(c, ids: $0) },
             try missing(among: users) { try table.existingUsers(c, ids: $0) })
        }
    }

    private static func missing(among ids: Set<Int64>, _ existing: ([Int64]) throws -> Set<Int64>?) throws -> Set<Int64> {
        let all = ids.sorted()
        var missing = Set<Int64>()
        var at = 0
        while at < all.count {
            let chunk = Array(all[at..<min(at + batch, all.count)])
            guard let found = try existing(chunk) else { return [] }   // the table does not check
            for id in chunk where !found.contains(id) { missing.insert(id) }
            at += chunk.count
        }
        return missing
    }

    /// "3 owners and 1 user".
    static func describe(owners: Int, users: Int) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        switch (owners, users) {
        case (_, 0): return count(owners, "owner")
        case (0, _): return count(users, "user")
        default: return count(owners, "owner") + " and " + count(users, "user")
        }
    }
}
