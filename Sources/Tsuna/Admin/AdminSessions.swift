import Security
import Store

/// A signed-in panel session: whose, its CSRF token, when it was last used.
struct AdminSession: Sendable {
    let idHash: String
    let userId: Int64
    let csrfToken: String
    let lastSeen: Int64
}

/// The panel's sessions (`admin_sessions`). The browser holds a random 32-byte id in the `tsuna_admin` cookie;
/// the table keeps only its hash, so a copy of the database signs no one in. A session ends after 12 hours
/// without a request, or at sign-out; `last_seen` is written at most once a minute to spare the writer.
struct AdminSessions: Sendable {
    static let cookieName = "tsuna_admin"
    static let idleLimitMicros: Int64 = 12 * 3600 * 1_000_000
    static let touchIntervalMicros: Int64 = 60 * 1_000_000
    /// 32 random bytes in base64url without padding.
    static let idLength = 43

    let store: Store

    /// A new random id (the cookie value) and the hash stored for it.
    static func newId() -> (cookie: String, hash: String) {
        let id = Base64URL.encode(SecureRandom.bytes(32))
        return (id, hash(id))
    }

    /// The stored form of a session id: HMAC-SHA256 under a fixed label (the id's 256 random bits make a secret
    /// key unnecessary: the hash only has to be one-way).
    static func hash(_ id: String) -> String {
        Hex.encode(HMACSHA256.mac(key: Array("tsuna/admin-session".utf8), message: id))
    }

    /// A cookie value shaped like one of ours; anything else is no session (never hashed, never queried).
    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == idLength && value.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95
        }
    }

    /// The live session for a cookie value, nil when unknown, ended or idle too long.
    func find(cookie: String, now: Int64 = Clock.nowMicros()) throws -> AdminSession? {
        guard AdminSessions.isWellFormed(cookie) else { return nil }
        let session = try store.read { c in
            try c.queryOne("SELECT id_hash, user_id, csrf_token, last_seen FROM admin_sessions WHERE id_hash = ?",
                           [AdminSessions.hash(cookie)]) {
                AdminSession(idHash: $0.string("id_hash"), userId: $0.int64("user_id"), csrfToken: $0.string("csrf_token"),
                             lastSeen: $0.int64("last_seen"))
            }
        }
        guard let session, now - session.lastSeen < AdminSessions.idleLimitMicros else { return nil }
        return session
    }

    /// Records use of the session, at most once a minute.
    func touch(_ session: AdminSession, now: Int64 = Clock.nowMicros()) async throws {
        guard now - session.lastSeen >= AdminSessions.touchIntervalMicros else { return }
        try await store.write { c in
            try c.run("UPDATE admin_sessions SET last_seen = ? WHERE id_hash = ?", [now, session.idHash])
        }
    }

    /// Starts a session for the user; returns the cookie value. Sessions idle too long are cleared on the way.
    func start(userId: Int64, now: Int64 = Clock.nowMicros()) async throws -> String {
        let (cookie, hash) = AdminSessions.newId()
        let csrf = Base64URL.encode(SecureRandom.bytes(32))
        try await store.write { c in
            try c.run("DELETE FROM admin_sessions WHERE last_seen <= ?", [now - AdminSessions.idleLimitMicros])
            try c.run("INSERT INTO admin_sessions (id_hash, user_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                      [hash, userId, csrf, now, now])
        }
        return cookie
    }

    func end(_ session: AdminSession) async throws {
        try await store.write { c in try c.run("DELETE FROM admin_sessions WHERE id_hash = ?", [session.idHash]) }
    }

    /// Ends every session of the user (deactivated, or no longer an administrator).
    func endAll(userId: Int64) async throws {
        try await store.write { c in try c.run("DELETE FROM admin_sessions WHERE user_id = ?", [userId]) }
    }
}
