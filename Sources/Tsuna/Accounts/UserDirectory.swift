import Foundation
import Store

/// A user as authentication and profiles need them: the row and the active subscription.
struct DirectoryEntry: Sendable {
    let record: UserRecord
    let subscription: ActiveSubscription?

    var caller: Caller {
        Caller(id: record.id, token: record.token, email: record.email, firstName: record.firstName,
               lastName: record.lastName, isAdmin: record.isAdmin, subscriptionEnd: subscription?.end)
    }
}

/// Users by token with a short-lived in-memory copy, so an authenticated request does not query SQLite for
/// its caller every time. Every change this process makes to a user (profile, activation, subscription)
/// invalidates the entry at once; other processes only ever add users (`create-admin`), which are never
/// cached before they exist. Roles are computed from the subscription's end at each request, so expiry needs
/// no invalidation.
final class UserDirectory: Sendable {
    private let store: Store
    private let cache = ExpiringCache<DirectoryEntry>()

    init(store: Store) {
        self.store = store
    }

    /// The user with this token (active or not), nil when there is none.
    func user(token: String) throws -> DirectoryEntry? {
        try cache.value(token) {
            try store.read { c -> DirectoryEntry? in
                guard let record = try AccountsStore.user(token: token, c) else { return nil }
                return DirectoryEntry(record: record, subscription: try AccountsStore.subscription(userId: record.id, c))
            }
        }
    }

    func invalidate(_ token: String) { cache.invalidate(token) }
}
