import Store

/// The durable outbox: messages are rows written in the same transaction as the domain change that
/// caused them, and the sender delivers them later.
public enum Outbox {
    /// DDL the application includes in its migrations (tests execute it themselves).
    /// Times are microseconds since the Unix epoch. The partial index holds only pending rows, so a
    /// pass walks those in id order however many sent rows the table keeps (an index led by
    /// next_attempt_at would make SQLite prefer a rowid scan over the whole history).
    public static let schemaSQL = """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            sent_at INTEGER,
            failed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed = 0;
        """

    /// Longest last_error kept, in characters (a curl or SMTP message is far shorter).
    static let maxErrorLength = 1000

    /// Queues a message inside the caller's transaction (so it commits or rolls back with the domain write).
    /// Throws MailError when `to` is not one plain address (control characters, spaces, brackets…).
    public static func enqueue(_ c: Connection, to: String, subject: String, body: String, now: Int64) throws {
        if let problem = MailAddress.problem(with: to) { throw MailError("cannot queue mail: \(problem)") }
        try c.run("INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
                  [.text(to), .text(subject), .text(body), .integer(now), .integer(now)])
    }

    /// Messages neither sent nor given up on (the "outbox depth" metric).
    public static func pendingCount(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed = 0") { $0.int(0) } ?? 0
    }

    /// Deletes messages sent before `before` (µs); returns how many. For a periodic clean-up job.
    @discardableResult
    public static func deleteSent(_ c: Connection, before: Int64) throws -> Int {
        try c.run("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", [.integer(before)])
    }

    /// A due message and how many times delivery was already tried.
    struct Due {
        var message: MailMessage
        var attempts: Int
    }

    /// Up to `limit` unsent, not-failed messages due at `now` with an id above `afterID`, in id order.
    static func due(_ c: Connection, now: Int64, afterID: Int64, limit: Int) throws -> [Due] {
        try c.query("""
            SELECT id, recipient, subject, body, attempts FROM outbox
            WHERE sent_at IS NULL AND failed = 0 AND next_attempt_at <= ? AND id > ?
            ORDER BY id LIMIT ?
            """, [.integer(now), .integer(afterID), .integer(Int64(limit))]) { row in
            Due(message: MailMessage(id: row.int64(0), to: row.string(1), subject: row.string(2), body: row.string(3)),
                attempts: row.int(4))
        }
    }

    /// Records a delivery; false when the row was already sent (or is gone).
    static func markSent(_ c: Connection, id: Int64, at now: Int64) throws -> Bool {
        try c.run("UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ? AND sent_at IS NULL",
                  [.integer(now), .integer(id)]) == 1
    }

    /// Records a failed attempt: the new attempt count, when to retry, the error, and whether to give up.
    static func markFailure(_ c: Connection, id: Int64, attempts: Int, nextAttemptAt: Int64,
                            error: String, givenUp: Bool) throws {
        try c.run("""
            UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, failed = ?
            WHERE id = ? AND sent_at IS NULL
            """, [.integer(Int64(attempts)), .integer(nextAttemptAt), .text(String(error.prefix(maxErrorLength))),
                  .integer(givenUp ? 1 : 0), .integer(id)])
    }
}

/// A message as an operator sees it in the outbox.
public struct OutboxEntry: Sendable {
    public enum Status: String, Sendable {
        /// Not tried yet.
        case queued
        /// Tried and failed; another attempt is due at `nextAttemptAt`.
        case retrying
        case sent
        /// Given up after the last attempt.
        case failed
    }

    public let id: Int64
    public let recipient: String
    public let subject: String
    public let createdAt: Int64
    public let attempts: Int
    public let nextAttemptAt: Int64
    public let lastError: String?
    public let sentAt: Int64?
    public let status: Status

    init(_ row: Row) {
        id = row.int64(0)
        recipient = row.string(1)
        subject = row.string(2)
        createdAt = row.int64(3)
        attempts = row.int(4)
        nextAttemptAt = row.int64(5)
        lastError = row.optionalString(6)
        sentAt = row.optionalInt64(7)
        if sentAt != nil { status = .sent } else if row.bool(8) { status = .failed } else { status = attempts > 0 ? .retrying : .queued }
    }

    /// A failed or retrying message may be retried now.
    public var canRetry: Bool { status == .failed || status == .retrying }
}

/// Listing and retrying messages, for an operator's view of the outbox (the administration panel).
extension Outbox {
    /// Which messages a listing shows.
    public enum Filter: String, Sendable, CaseIterable {
        case all
        /// Not sent and not given up (retrying ones included): the `outbox_pending` index.
        case queued
        /// Given up: the `outbox_failed` index.
        case failed
        case sent
    }

    /// The index the failed filter walks, added by the application's migrations after `schemaSQL`.
    public static let failedIndexSQL = "CREATE INDEX outbox_failed ON outbox (id) WHERE failed = 1;"

    static let entryColumns = "id, recipient, subject, created_at, attempts, next_attempt_at, last_error, sent_at, failed"

    /// The listing statement, newest first: below `before`, or above `after` (then oldest first; callers reverse).
    public static func listQuery(_ filter: Filter, before: Int64?, after: Int64?, limit: Int) -> (sql: String, arguments: [SQLValue]) {
        var conditions: [String]
        switch filter {
        case .all: conditions = []
        case .queued: conditions = ["sent_at IS NULL", "failed = 0"]
        case .failed: conditions = ["failed = 1"]
        case .sent: conditions = ["sent_at IS NOT NULL"]
        }
        var arguments: [SQLValue] = []
        if let before { conditions.append("id < ?"); arguments.append(.integer(before)) }
        if let after { conditions.append("id > ?"); arguments.append(.integer(after)) }
        arguments.append(.integer(Int64(limit)))
        let filterSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return ("SELECT \(entryColumns) FROM outbox\(filterSQL) ORDER BY id \(after == nil ? "DESC" : "ASC") LIMIT ?", arguments)
    }

    /// Up to `limit` messages newest first, below `before` or (oldest first) above `after`.
    public static func entries(_ c: Connection, _ filter: Filter, before: Int64? = nil, after: Int64? = nil,
                               limit: Int) throws -> [OutboxEntry] {
        let (sql, arguments) = listQuery(filter, before: before, after: after, limit: limit)
        return try c.query(sql, arguments, OutboxEntry.init)
    }

    public static func entry(_ c: Connection, id: Int64) throws -> OutboxEntry? {
        try c.queryOne("SELECT \(entryColumns) FROM outbox WHERE id = ?", [.integer(id)], OutboxEntry.init)
    }

    /// Messages given up on.
    public static func failedCount(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) FROM outbox WHERE failed = 1") { $0.int(0) } ?? 0
    }

    /// Makes a failed or retrying message due at `now` (wake the sender afterwards). A given-up message starts a
    /// new series of attempts; the last error stays until the next attempt. False when the message is sent,
    /// not yet tried, or gone.
    public static func retry(_ c: Connection, id: Int64, now: Int64) throws -> Bool {
        try c.run("""
            UPDATE outbox SET next_attempt_at = ?, attempts = CASE WHEN failed = 1 THEN 0 ELSE attempts END, failed = 0
            WHERE id = ? AND sent_at IS NULL AND (failed = 1 OR attempts > 0)
            """, [.integer(now), .integer(id)]) == 1
    }
}
