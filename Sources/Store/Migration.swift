/// One schema step. Versions run 1, 2, 3 … in order; PRAGMA user_version records the last applied.
public struct Migration: Sendable {
    /// Position in the list, starting at 1.
    public let version: Int
    /// A short human name, used in error messages.
    public let name: String
    /// The script, executed in one transaction together with the user_version bump.
    public let sql: String
    /// The script rebuilds tables that others reference (SQLite's procedure to change a table's definition:
    /// create the new table, copy, drop, rename): it runs with foreign key enforcement off, so dropping the
    /// old table neither cascades nor fails, and `PRAGMA foreign_key_check` must find nothing broken before
    /// it commits.
    public let rebuildsTables: Bool

    /// Creates a migration.
    public init(version: Int, name: String, sql: String, rebuildsTables: Bool = false) {
        self.version = version
        self.name = name
        self.sql = sql
        self.rebuildsTables = rebuildsTables
    }
}

/// Why migrations could not run.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// The file was migrated by a newer binary; nothing was touched.
    case databaseNewer(database: Int, binary: Int)
    /// The migration list itself is wrong (versions not 1…N contiguous, duplicates).
    case invalidMigrations(String)

    /// A sentence for the operator.
    public var description: String {
        switch self {
        case let .databaseNewer(database, binary):
            return "database schema version \(database) is newer than this binary supports (\(binary)); upgrade tsuna"
        case let .invalidMigrations(reason):
            return "invalid migrations: \(reason)"
        }
    }
}

/// Applies migrations by PRAGMA user_version.
public enum Migrator {
    /// Checks that the versions are exactly 1…N in order.
    public static func validate(_ migrations: [Migration]) throws {
        var seen = Set<Int>()
        for (i, m) in migrations.enumerated() {
            if !seen.insert(m.version).inserted {
                throw MigrationError.invalidMigrations("version \(m.version) appears twice")
            }
            if m.version != i + 1 {
                throw MigrationError.invalidMigrations(
                    "migration \"\(m.name)\" at position \(i + 1) has version \(m.version); versions must be 1…N in order")
            }
        }
    }

    /// Applies the migrations newer than PRAGMA user_version, each in its own transaction together with
    /// the version bump. A database newer than the last migration → throws .databaseNewer BEFORE touching
    /// anything. Returns (from, to).
    @discardableResult
    public static func migrate(_ c: Connection, _ migrations: [Migration]) throws -> (from: Int, to: Int) {
        try validate(migrations)
        let latest = migrations.count
        let from = try c.userVersion
        if from > latest { throw MigrationError.databaseNewer(database: from, binary: latest) }
        if from < 0 { throw StoreError(code: -1, message: "database has a negative user_version (\(from))") }
        var current = from
        for m in migrations where m.version > from {
            // Foreign key enforcement can only change outside a transaction.
            if m.rebuildsTables { try c.execute("PRAGMA foreign_keys = OFF") }
            defer { if m.rebuildsTables { try? c.execute("PRAGMA foreign_keys = ON") } }
            current = try c.transaction {
                // Re-read under the write lock: another process may have migrated meanwhile.
                let now = try c.userVersion
                if now > latest { throw MigrationError.databaseNewer(database: now, binary: latest) }
                if now >= m.version { return now }
                do {
                    try c.execute(m.sql)
                    if m.rebuildsTables, let broken = try c.queryOne("PRAGMA foreign_key_check", [] as [SQLValue], { $0.string(0) }) {
                        throw StoreError(code: -1, message: "a row of \(broken) references a missing row")
                    }
                } catch var e as StoreError {
                    e.message = "migration \(m.version) (\(m.name)) failed: \(e.message)"
                    throw e
                }
                try c.setUserVersion(m.version)
                return m.version
            }
        }
        return (from, current)
    }
}
