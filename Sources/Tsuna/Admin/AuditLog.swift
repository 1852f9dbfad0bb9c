import Store

/// One recorded panel action.
struct AuditEntry: Sendable {
    let id: Int64
    let actorEmail: String
    let action: String
    let objectType: String
    let objectToken: String?
    let objectLabel: String
    let date: Int64

    init(_ r: Row) {
        id = r.int64("id")
        actorEmail = r.string("actor_email")
        action = r.string("action")
        objectType = r.string("object_type")
        objectToken = r.optionalString("object_token")
        objectLabel = r.string("object_label")
        date = r.int64("date")
    }
}

/// What an action was done to: its kind ("user", "channel", …), its public token when it has one, and a label
/// that stays readable after the object is gone (an email, a title).
struct AuditObject: Sendable {
    let type: String
    let token: String?
    let label: String
}

/// The audit log (`audit_log`): every action taken in the panel, who took it and when; listed newest first.
enum AuditLog {
    /// Labels longer than this are cut (a comment's text, say).
    static let maxLabelLength = 200

    static func record(actorId: Int64, actorEmail: String, action: String, object: AuditObject, now: Int64,
                       _ c: Connection) throws {
        try c.run("""
            INSERT INTO audit_log (actor_id, actor_email, action, object_type, object_token, object_label, date)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [actorId, actorEmail, action, object.type, object.token, String(object.label.prefix(maxLabelLength)), now])
    }

    /// Entries newest first (the rowid).
    static func pageQuery(_ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("id")
        return SQLQuery(sql: """
            SELECT id, actor_email, action, object_type, object_token, object_label, date FROM audit_log
            WHERE 1\(condition) ORDER BY \(order) LIMIT ?
            """, arguments: args + [limit])
    }
}
