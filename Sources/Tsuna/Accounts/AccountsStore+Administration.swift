import Store

extension UserRecord {
    /// Registered and not verified yet.
    var isUnverified: Bool { !isActive && !isDeactivated }
}

/// What the administration panel reads and changes of accounts (SPEC section 13), beside the API's queries.
/// Every list walks an index in the order it shows.
extension AccountsStore {
    struct Counts: Sendable {
        let total: Int
        let unverified: Int
        let deactivated: Int
        let administrators: Int
        var active: Int { total - unverified - deactivated }
    }

    static func counts(_ c: Connection) throws -> Counts {
        let total = try c.queryOne("SELECT count(*) AS n FROM users") { $0.int("n") } ?? 0
        // Each count walks a partial index holding only the rows it counts (`users_inactive`, `users_deactivated`,
        // `users_admins`), never the table.
        let inactive = try c.queryOne("SELECT count(*) AS n FROM users WHERE is_active = 0") { $0.int("n") } ?? 0
        let deactivated = try c.queryOne("SELECT count(*) AS n FROM users WHERE is_deactivated = 1") {
            $0.int("n")
        } ?? 0
        let admins = try c.queryOne("SELECT count(*) AS n FROM users WHERE is_admin = 1") { $0.int("n") } ?? 0
        return Counts(total: total, unverified: inactive - deactivated, deactivated: deactivated, administrators: admins)
    }

    static func user(id: Int64, _ c: Connection) throws -> UserRecord? {
        try c.queryOne("SELECT \(userColumns) FROM users WHERE id = ?", [id], UserRecord.init)
    }

    /// Users newest first.
    static func pageQuery(_ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("id")
        return SQLQuery(sql: "SELECT \(userColumns) FROM users WHERE 1\(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    /// Users whose email starts with the prefix (any case), in address order (the `users_email` index).
    static func emailSearchQuery(_ search: PrefixSearch, limit: Int) -> SQLQuery {
        let (condition, order, args) = search.sql("email")
        return SQLQuery(sql: "SELECT \(userColumns) FROM users WHERE \(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    /// The indexed display name: first name, a space, last name (`users_name`, migration 5).
    static let nameExpression = "(first_name || ' ' || last_name)"

    /// Users whose "first last" name starts with the prefix (any case), in name order.
    static func nameSearchQuery(_ search: PrefixSearch, limit: Int) -> SQLQuery {
        let (condition, order, args) = search.sql(nameExpression)
        return SQLQuery(sql: "SELECT \(userColumns) FROM users WHERE \(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    /// Activates the account (an unverified one counts as verified from then on).
    static func activate(id: Int64, _ c: Connection) throws {
        try c.run("UPDATE users SET is_active = 1, is_deactivated = 0 WHERE id = ?", [id])
    }

    /// Deactivates the account: it cannot log in, and every token it holds is rejected from the next request on.
    static func deactivate(id: Int64, _ c: Connection) throws {
        try c.run("UPDATE users SET is_active = 0, is_deactivated = 1 WHERE id = ?", [id])
        try bumpTokenGeneration(userId: id, c)
    }

    static func setAdmin(id: Int64, _ isAdmin: Bool, _ c: Connection) throws {
        try c.run("UPDATE users SET is_admin = ? WHERE id = ?", [isAdmin, id])
    }

    /// Administrators who can sign in (active ones).
    static func activeAdminCount(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM users WHERE is_admin = 1 AND is_active = 1") { $0.int("n") } ?? 0
    }
}
