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
    /// Tokens carry the generation they were issued under; only the current one is accepted.
    let tokenGeneration: Int64
    /// Deactivated by an administrator (as opposed to never verified).
    let isDeactivated: Bool

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        email = r.string("email")
        password = r.string("password")
        firstName = r.string("first_name")
        lastName = r.string("last_name")
        bio = r.string("bio")
        picture = r.optionalString("picture")
        isActive = r.bool("is_active")
        isAdmin = r.bool("is_admin")
        dateJoined = r.int64("date_joined")
        tokenGeneration = r.int64("token_generation")
        isDeactivated = r.bool("is_deactivated")
    }

    var displayName: String { UserName.display(firstName, lastName) }
}

/// The accounts feature's SQL (users, verification tokens), and nothing else's.
enum AccountsStore {
    static let userColumns = """
        id, token, email, password, first_name, last_name, bio, picture, is_active, is_admin, date_joined, token_generation,
        is_deactivated
        """

    static func user(token: String, _ c: Connection) throws -> UserRecord? {
        try c.queryOne("SELECT \(userColumns) FROM users WHERE token = ?", [token], UserRecord.init)
    }

    static func user(email: String, _ c: Connection) throws -> UserRecord? {
        try c.queryOne("SELECT \(userColumns) FROM users WHERE email = ? COLLATE NOCASE", [email], UserRecord.init)
    }

    /// References (display name and token) of users by id, in one query whatever the number of ids.
    static func references(ids: [Int64], _ c: Connection) throws -> [Int64: UserRef] {
        var result: [Int64: UserRef] = [:]
        try c.forEach("""
            SELECT id, token, first_name, last_name FROM users WHERE id IN (SELECT value FROM json_each(?))
            """, [SQLList.json(ids)]) { r in
            result[r.int64("id")] = UserRef(name: UserName.display(r.string("first_name"), r.string("last_name")),
                                            token: r.string("token"))
        }
        return result
    }

    /// Where to mail a user: email, first name, display name (and the token, to invalidate cached entries).
    struct Contact: Sendable {
        let email: String
        let firstName: String
        let name: String
        let token: String
    }

    static func contact(userId: Int64, _ c: Connection) throws -> Contact? {
        try c.queryOne("SELECT token, email, first_name, last_name FROM users WHERE id = ?", [userId]) {
            Contact(email: $0.string("email"), firstName: $0.string("first_name"),
                    name: UserName.display($0.string("first_name"), $0.string("last_name")), token: $0.string("token"))
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

    /// Inserts a user; returns its id.
    static func insert(_ u: NewUser, now: Int64, token: String, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO users (token, email, password, first_name, last_name, bio, picture, is_active, is_admin, date_joined)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [token, u.email, u.password, u.firstName, u.lastName, u.bio, u.picture, u.isActive, u.isAdmin, now])
        return c.lastInsertRowID
    }

    static func insertVerificationToken(userId: Int64, token: String, now: Int64, expires: Int64, _ c: Connection) throws {
        try c.run("INSERT INTO verification_tokens (token, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                  [token, userId, now, expires])
    }

    struct VerificationToken { let userId: Int64; let expiresAt: Int64 }

    static func verificationToken(_ token: String, _ c: Connection) throws -> VerificationToken? {
        try c.queryOne("SELECT user_id, expires_at FROM verification_tokens WHERE token = ?", [token]) {
            VerificationToken(userId: $0.int64("user_id"), expiresAt: $0.int64("expires_at"))
        }
    }

    static func hasUnexpiredToken(userId: Int64, now: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM verification_tokens WHERE user_id = ? AND expires_at > ? LIMIT 1",
                       [userId, now]) { _ in true } ?? false
    }

    /// Activates the unverified user. False if someone else activated first (or an administrator deactivated
    /// the account meanwhile: see `UserRecord.isDeactivated`). The token stays until it expires, so a second
    /// click answers "User is already active." rather than 404; the cleanup job removes it.
    static func activate(userId: Int64, _ c: Connection) throws -> Bool {
        try c.run("UPDATE users SET is_active = 1 WHERE id = ? AND is_active = 0 AND is_deactivated = 0", [userId]) == 1
    }

    static func updateProfile(userId: Int64, firstName: String, lastName: String, bio: String, picture: String?,
                              _ c: Connection) throws {
        try c.run("UPDATE users SET first_name = ?, last_name = ?, bio = ?, picture = ? WHERE id = ?",
                  [firstName, lastName, bio, picture, userId])
    }

    /// Sets a new password hash and rejects every token issued before (a change or a reset).
    static func setPassword(userId: Int64, encoded: String, _ c: Connection) throws {
        try c.run("UPDATE users SET password = ?, token_generation = token_generation + 1 WHERE id = ?", [encoded, userId])
    }

    /// Rejects every token of the user issued so far.
    static func bumpTokenGeneration(userId: Int64, _ c: Connection) throws {
        try c.run("UPDATE users SET token_generation = token_generation + 1 WHERE id = ?", [userId])
    }

    /// Deletes the user; foreign keys cascade to everything the user owns (channels with their contents,
    /// subscriptions, votes, views, comments, admin records, the membership subscription, tokens, sessions).
    static func deleteUser(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM users WHERE id = ?", [id])
    }

    static func deleteExpiredVerificationTokens(now: Int64, _ c: Connection) throws -> Int {
        try c.run("DELETE FROM verification_tokens WHERE expires_at <= ?", [now])
    }

    /// Removes accounts still unverified after `cutoff` (never deactivated ones: their generation is above 0);
    /// returns their picture paths for file cleanup.
    static func deleteUnverified(registeredBefore cutoff: Int64, _ c: Connection) throws -> [String?] {
        let pictures = try c.query("SELECT picture FROM users WHERE is_active = 0 AND date_joined <= ? AND is_deactivated = 0",
                                   [cutoff]) { $0.optionalString("picture") }
        try c.run("DELETE FROM users WHERE is_active = 0 AND date_joined <= ? AND is_deactivated = 0", [cutoff])
        return pictures
    }
}

/// Password reset tokens and revoked token ids (the accounts feature's other tables).
extension AccountsStore {
    /// Replaces the user's reset token (a new request invalidates the previous one).
    static func replaceResetToken(userId: Int64, token: String, now: Int64, expires: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM password_resets WHERE user_id = ?", [userId])
        try c.run("INSERT INTO password_resets (token, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                  [token, userId, now, expires])
    }

    /// The user a live reset token belongs to, nil when unknown, used or expired.
    static func resetTokenUser(_ token: String, now: Int64, _ c: Connection) throws -> Int64? {
        try c.queryOne("SELECT user_id FROM password_resets WHERE token = ? AND expires_at > ?", [token, now]) {
            $0.int64("user_id")
        }
    }

    /// Spends a reset token; false when it was no longer there (spent concurrently).
    static func spendResetToken(_ token: String, _ c: Connection) throws -> Bool {
        try c.run("DELETE FROM password_resets WHERE token = ?", [token]) == 1
    }

    static func deleteExpiredResetTokens(now: Int64, _ c: Connection) throws -> Int {
        try c.run("DELETE FROM password_resets WHERE expires_at <= ?", [now])
    }

    static func revokeToken(id: String, expiresAt: Int64, _ c: Connection) throws {
        try c.run("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", [id, expiresAt])
    }

    /// Revoked token ids that have not expired yet (loaded at start).
    static func revokedTokens(now: Int64, _ c: Connection) throws -> [(id: String, expiresAt: Int64)] {
        try c.query("SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ?", [now]) {
            (id: $0.string("jti"), expiresAt: $0.int64("expires_at"))
        }
    }

    static func deleteExpiredRevokedTokens(now: Int64, _ c: Connection) throws -> Int {
        try c.run("DELETE FROM revoked_tokens WHERE expires_at <= ?", [now])
    }

    /// Which of `ids` still name a row (snapshots replayed at start are checked against it).
    static func existingIds(_ ids: [Int64], _ c: Connection) throws -> Set<Int64> {
        Set(try c.query("SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))", [SQLList.json(ids)]) {
            $0.int64("id")
        })
    }
}
