import Platform
import Store

/// Token ids rejected before they expire (a plain logout revokes one refresh and one access token). Kept in
/// memory so checking a request costs one set lookup, and in SQLite so a restart keeps rejecting them.
final class RevokedTokens: Sendable {
    private let ids = Locked<[String: Int64]>([:])

    /// Loads the revocations still in force.
    init(store: Store, now: Int64) throws {
        let rows = try store.read { try AccountsStore.revokedTokens(now: now, $0) }
        ids.withLock { for r in rows { $0[r.id] = r.expiresAt } }
    }

    func contains(_ id: String) -> Bool {
        ids.withLock { $0[id] != nil }
    }

    /// Records revocations that committed to the database.
    func add(_ revoked: [(id: String, expiresAt: Int64)]) {
        ids.withLock { for r in revoked { $0[r.id] = r.expiresAt } }
    }

    /// Forgets revocations of tokens that have expired anyway (they fail on `exp`).
    func prune(now: Int64) {
        ids.withLock { $0 = $0.filter { $0.value > now } }
    }

    var count: Int { ids.withLock { $0.count } }
}
