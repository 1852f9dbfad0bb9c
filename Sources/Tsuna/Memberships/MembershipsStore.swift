import Store

/// A membership plan row.
struct Plan: Sendable {
    let id: Int64
    let token: String
    let title: String
    let description: String
    let price: Int
    let activeMonths: Int
    let isAvailable: Bool

    init(id: Int64, token: String, title: String, description: String, price: Int, activeMonths: Int, isAvailable: Bool) {
        self.id = id
        self.token = token
        self.title = title
        self.description = description
        self.price = price
        self.activeMonths = activeMonths
        self.isAvailable = isAvailable
    }

    /// The plan as stored after writing `fields`.
    init(id: Int64, token: String, _ fields: PlanFields) {
        self.init(id: id, token: token, title: fields.title, description: fields.description, price: fields.price,
                  activeMonths: fields.activeMonths, isAvailable: fields.isAvailable)
    }
}

/// A plan's editable fields, as validated input supplies them.
struct PlanFields: Sendable {
    var title: String
    var description: String
    var price: Int
    var activeMonths: Int
    var isAvailable: Bool
}

/// A subscription the expiry job removes, with what its mail needs.
struct EndedSubscription: Sendable {
    let id: Int64
    let userToken: String
    let email: String
    let firstName: String
    let plan: String
    let end: Int64
}

/// The memberships feature's SQL, and nothing else's.
enum MembershipsStore {
    static let planColumns = "id, token, title, description, price, active_months, is_available"

    static func plan(_ r: Row) -> Plan {
        Plan(id: r.int64(0), token: r.string(1), title: r.string(2), description: r.string(3), price: r.int(4),
             activeMonths: r.int(5), isAvailable: r.bool(6))
    }

    static func plan(token: String, _ c: Connection) throws -> Plan? {
        try c.queryOne("SELECT \(planColumns) FROM memberships WHERE token = ?", [.text(token)], plan)
    }

    static func planCount(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) FROM memberships") { $0.int(0) } ?? 0
    }

    /// Plans oldest first.
    static func plans(limit: Int, offset: Int, _ c: Connection) throws -> [Plan] {
        try c.query("SELECT \(planColumns) FROM memberships ORDER BY id LIMIT ? OFFSET ?",
                    [SQLValue(limit), SQLValue(offset)], plan)
    }

    /// Inserts a plan; returns its id.
    static func insertPlan(_ f: PlanFields, token: String, now: Int64, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO memberships (token, title, description, price, active_months, is_available, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(token), .text(f.title), .text(f.description), SQLValue(f.price), SQLValue(f.activeMonths),
                  SQLValue(f.isAvailable), .integer(now)])
        return c.lastInsertRowID
    }

    /// False when the plan no longer exists.
    static func updatePlan(id: Int64, _ f: PlanFields, _ c: Connection) throws -> Bool {
        try c.run("""
            UPDATE memberships SET title = ?, description = ?, price = ?, active_months = ?, is_available = ?
            WHERE id = ?
            """, [.text(f.title), .text(f.description), SQLValue(f.price), SQLValue(f.activeMonths),
                  SQLValue(f.isAvailable), .integer(id)]) == 1
    }

    /// True while any subscription row (ended or not) references the plan.
    static func isInUse(planId: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM subscriptions WHERE membership_id = ? LIMIT 1", [.integer(planId)]) { _ in true } ?? false
    }

    static func deletePlan(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM memberships WHERE id = ?", [.integer(id)])
    }

    /// The end (µs) of the user's subscription row, if there is one (it may have ended already).
    static func subscriptionEnd(userId: Int64, _ c: Connection) throws -> Int64? {
        try c.queryOne("SELECT end_date FROM subscriptions WHERE user_id = ?", [.integer(userId)]) { $0.int64(0) }
    }

    static func deleteSubscription(userId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM subscriptions WHERE user_id = ?", [.integer(userId)])
    }

    static func insertSubscription(token: String, userId: Int64, planId: Int64, start: Int64, end: Int64,
                                   _ c: Connection) throws {
        try c.run("""
            INSERT INTO subscriptions (token, user_id, membership_id, start_date, end_date) VALUES (?, ?, ?, ?, ?)
            """, [.text(token), .integer(userId), .integer(planId), .integer(start), .integer(end)])
    }

    /// Up to `limit` subscriptions whose end is at or before `now`, soonest ended first.
    static func endedSubscriptions(now: Int64, limit: Int, _ c: Connection) throws -> [EndedSubscription] {
        try c.query("""
            SELECT s.id, u.token, u.email, u.first_name, m.title, s.end_date
            FROM subscriptions s JOIN users u ON u.id = s.user_id JOIN memberships m ON m.id = s.membership_id
            WHERE s.end_date <= ? ORDER BY s.end_date LIMIT ?
            """, [.integer(now), SQLValue(limit)]) { r in
            EndedSubscription(id: r.int64(0), userToken: r.string(1), email: r.string(2), firstName: r.string(3),
                              plan: r.string(4), end: r.int64(5))
        }
    }

    static func deleteSubscription(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM subscriptions WHERE id = ?", [.integer(id)])
    }
}
