import FoundationEssentials
import Security
import Store

/// A user as authentication and profiles need them: the row and the subscription.
struct DirectoryEntry: Sendable {
    let record: UserRecord
    let subscription: ActiveSubscription?

    /// The caller presenting `claims` (an access token of this user).
    func caller(token claims: JWTClaims) -> Caller {
        Caller(id: record.id, token: record.token, email: record.email, firstName: record.firstName,
               lastName: record.lastName, isAdmin: record.isAdmin, subscriptionEnd: subscription?.end,
               accessTokenId: claims.id, accessTokenExpiry: claims.expiresAt)
    }
}

/// How a user appears in other objects' JSON (SPEC section 1, "users in output").
struct UserRef: Sendable {
    let name: String
    let token: String
}

/// Users by token, and their references by id, with a short-lived in-memory copy, so an authenticated request
/// does not query SQLite for its caller every time and lists resolve their users in one query. Every change
/// this process makes to a user invalidates its entries at once; other processes only ever add users
/// (`create-admin`), which are never cached before they exist. Roles are computed from the subscription's end
/// at each request, so expiry needs no invalidation.
final class UserDirectory: Sendable {
    private let store: Store
    private let byToken = ExpiringCache<String, DirectoryEntry>()
    private let refs = ExpiringCache<Int64, UserRef>(ttlSeconds: 10, capacity: 200_000)

    init(store: Store) {
        self.store = store
    }

    /// The user with this token (active or not), nil when there is none.
    func user(token: String) throws -> DirectoryEntry? {
        try byToken.value(token) {
            try store.read { c -> DirectoryEntry? in
                guard let record = try AccountsStore.user(token: token, c) else { return nil }
                return DirectoryEntry(record: record, subscription: try MembershipsStore.subscription(userId: record.id, c))
            }
        }
    }

    /// References of users by id (missing users are absent from the result), the uncached ones in one query.
    func references(_ ids: some Sequence<Int64>) throws -> [Int64: UserRef] {
        var found: [Int64: UserRef] = [:]
        var missing: [Int64] = []
        for id in ids where found[id] == nil {
            if let ref = refs.cached(id) { found[id] = ref } else { missing.append(id) }
        }
        if !missing.isEmpty {
            let loaded = try store.read { try AccountsStore.references(ids: missing, $0) }
            for (id, ref) in loaded {
                refs.store(id, ref)
                found[id] = ref
            }
        }
        return found
    }

    func reference(_ id: Int64) throws -> UserRef? { try references(CollectionOfOne(id))[id] }

    /// The user changed (profile, activation, subscription, deletion).
    func invalidate(token: String, id: Int64) {
        byToken.invalidate(token)
        refs.invalidate(id)
    }
}
