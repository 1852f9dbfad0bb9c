import Store

/// A user row as the accounts feature reads it.
struct UserRecord: Sendable {
    let id: Int64
    let token: String
    let email: String
    let password: String
    let firstName: String
    let lastName: String
    let bio: String
    let picture: String?
    let isActive: Bool
    let isAdmin: Bool
    let dateJoined: Int64
}

/// An active subscription as shown on a profile.
struct ActiveSubscription: Sendable {
    let membership: String
    let start: Int64
    let end: Int64
}

/// The accounts feature's SQL, and nothing else's.
enum AccountsStore {
    static let userColumns = "id, token, email, password, first_name, last_name, bio, picture, is_active, is_admin, date_joined"

    static func user(_ r: Row) -> UserRecord {
        UserRecord(id: r.int64(0), token: r.string(1), email: r.string(2), password: r.string(3),
                   firstName: r.string(4), lastName: r.string(5), bio: r.string(6), picture: r.optionalString(7),
                   isActive: r.bool(8), isAdmin: r.bool(9), dateJoined: r.int64(10))
    }

    static func user(token: String, _ c: Connection) throws -> UserRecord? {
        try c.queryOne("SELECT \(userColumns) FROM users WHERE token = ?", [.text(token)], user)
    }

    static func user(email: String, _ c: Connection) throws -> UserRecord? {
        try c.queryOne("SELECT \(userColumns) FROM users WHERE email = ? COLLATE NOCASE", [.text(email)], user)
    }

    /// The user's subscription row (possibly already ended: callers compare `end` with now).
    static func subscription(userId: Int64, _ c: Connection) throws -> ActiveSubscription? {
        try c.queryOne("""
            SELECT m.title, s.start_date, s.end_date FROM subscriptions s JOIN memberships m ON m.id = s.membership_id
            WHERE s.user_id = ?
            """, [.integer(userId)]) { r in
            ActiveSubscription(membership: r.string(0), start: r.int64(1), end: r.int64(2))
        }
    }

    struct NewUser {
        var email: String
        var password: String
        var firstName: String
        var lastName: String
        var bio: String
        var picture: String?
        var isActive: Bool
        var isAdmin: Bool
    }

    /// Inserts a user; returns (id, token).
    static func insert(_ u: NewUser, now: Int64, token: String, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO users (token, email, password, first_name, last_name, bio, picture, is_active, is_admin, date_joined)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(token), .text(u.email), .text(u.password), .text(u.firstName), .text(u.lastName), .text(u.bio),
                  SQLValue(u.picture), SQLValue(u.isActive), SQLValue(u.isAdmin), .integer(now)])
        return c.lastInsertRowID
    }

    static func insertVerificationToken(userId: Int64, token: String, now: Int64, expires: Int64, _ c: Connection) throws {
        try c.run("INSERT INTO verification_tokens (token, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                  [.text(token), .integer(userId), .integer(now), .integer(expires)])
    }

    struct VerificationToken { let userId: Int64; let expiresAt: Int64 }

    static func verificationToken(_ token: String, _ c: Connection) throws -> VerificationToken? {
        try c.queryOne("SELECT user_id, expires_at FROM verification_tokens WHERE token = ?", [.text(token)]) {
            VerificationToken(userId: $0.int64(0), expiresAt: $0.int64(1))
        }
    }

    static func hasUnexpiredToken(userId: Int64, now: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM verification_tokens WHERE user_id = ? AND expires_at > ? LIMIT 1",
                       [.integer(userId), .integer(now)]) { _ in true } ?? false
    }

    /// Activates the user. False if someone else activated first. The token stays until it expires, so a
    /// second click answers "User is already active." rather than 404; the cleanup job removes it.
    static func activate(userId: Int64, _ c: Connection) throws -> Bool {
        try c.run("UPDATE users SET is_active = 1 WHERE id = ? AND is_active = 0", [.integer(userId)]) == 1
    }

    static func updateProfile(userId: Int64, firstName: String, lastName: String, bio: String, picture: String?,
                              _ c: Connection) throws {
        try c.run("UPDATE users SET first_name = ?, last_name = ?, bio = ?, picture = ? WHERE id = ?",
                  [.text(firstName), .text(lastName), .text(bio), SQLValue(picture), .integer(userId)])
    }

    static func deleteExpiredVerificationTokens(now: Int64, _ c: Connection) throws -> Int {
        try c.run("DELETE FROM verification_tokens WHERE expires_at <= ?", [.integer(now)])
    }

    /// Removes accounts still unverified after `cutoff`; returns their picture paths for file cleanup.
    static func deleteUnverified(registeredBefore cutoff: Int64, _ c: Connection) throws -> [String?] {
        let pictures = try c.query("SELECT picture FROM users WHERE is_active = 0 AND date_joined <= ?",
                                   [.integer(cutoff)]) { $0.optionalString(0) }
        try c.run("DELETE FROM users WHERE is_active = 0 AND date_joined <= ?", [.integer(cutoff)])
        return pictures
    }
}
