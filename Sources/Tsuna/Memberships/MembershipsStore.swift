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

/// A subscription the expiry job removes.
struct EndedSubscription: Sendable {
    let id: Int64
    let userId: Int64
    let plan: String
    let end: Int64
}

/// A user's subscription as a profile shows it (it may have ended already: callers compare `end` with now).
struct ActiveSubscription: Sendable {
    let membership: String
    let start: Int64
    let end: Int64
}

/// The memberships feature's SQL (plans and subscriptions), and nothing else's.
enum MembershipsStore {
    static let planColumns = "id, token, title, description, price, active_months, is_available"

    static func plan(_ r: Row) -> Plan {
        Plan(id: r.int64("id"), token: r.string("token"), title: r.string("title"), description: r.string("description"),
             price: r.int("price"), activeMonths: r.int("active_months"), isAvailable: r.bool("is_available"))
    }

    static func plan(token: String, _ c: Connection) throws -> Plan? {
        try c.queryOne("SELECT \(planColumns) FROM memberships WHERE token = ?", [token], plan)
    }

    static func planCount(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM memberships") { $0.int("n") } ?? 0
    }

    /// Plans oldest first.
    static func plans(limit: Int, offset: Int, _ c: Connection) throws -> [Plan] {
        try c.query("SELECT \(planColumns) FROM memberships ORDER BY id LIMIT ? OFFSET ?",
                    [limit, offset], plan)
    }

    /// Inserts a plan; returns its id.
    static func insertPlan(_ f: PlanFields, token: String, now: Int64, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO memberships (token, title, description, price, active_months, is_available, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [token, f.title, f.description, f.price, f.activeMonths, f.isAvailable, now])
        return c.lastInsertRowID
    }

    /// False when the plan no longer exists.
    static func updatePlan(id: Int64, _ f: PlanFields, _ c: Connection) throws -> Bool {
        try c.run("""
            UPDATE memberships SET title = ?, description = ?, price = ?, active_months = ?, is_available = ?
            WHERE id = ?
            """, [f.title, f.description, f.price, f.activeMonths, f.isAvailable, id]) == 1
    }

    /// True while any subscription row (ended or not) references the plan.
    static func isInUse(planId: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM subscriptions WHERE membership_id = ? LIMIT 1", [planId]) { _ in true } ?? false
    }

    static func deletePlan(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM memberships WHERE id = ?", [id])
    }

    /// The end (µs) of the user's subscription row, if there is one (it may have ended already).
    static func subscriptionEnd(userId: Int64, _ c: Connection) throws -> Int64? {
        try c.queryOne("SELECT end_date FROM subscriptions WHERE user_id = ?", [userId]) { $0.int64("end_date") }
    }

    /// The user's subscription with its plan's title.
    static func subscription(userId: Int64, _ c: Connection) throws -> ActiveSubscription? {
        try c.queryOne("""
            SELECT m.title, s.start_date, s.end_date FROM subscriptions s JOIN memberships m ON m.id = s.membership_id
            WHERE s.user_id = ?
            """, [userId]) { r in
            ActiveSubscription(membership: r.string("title"), start: r.int64("start_date"), end: r.int64("end_date"))
        }
    }

    static func deleteSubscription(userId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM subscriptions WHERE user_id = ?", [userId])
    }

    static func insertSubscription(token: String, userId: Int64, planId: Int64, start: Int64, end: Int64,
                                   _ c: Connection) throws {
        try c.run("""
            INSERT INTO subscriptions (token, user_id, membership_id, start_date, end_date) VALUES (?, ?, ?, ?, ?)
            """, [token, userId, planId, start, end])
    }

    /// Up to `limit` subscriptions whose end is at or before `now`, soonest ended first.
    static func endedSubscriptions(now: Int64, limit: Int, _ c: Connection) throws -> [EndedSubscription] {
        try c.query("""
            SELECT s.id, s.user_id, m.title, s.end_date
            FROM subscriptions s JOIN memberships m ON m.id = s.membership_id
            WHERE s.end_date <= ? ORDER BY s.end_date LIMIT ?
            """, [now, limit]) { r in
            EndedSubscription(id: r.int64("id"), userId: r.int64("user_id"), plan: r.string("title"), end: r.int64("end_date"))
        }
    }

    static func deleteSubscription(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM subscriptions WHERE id = ?", [id])
    }
}
