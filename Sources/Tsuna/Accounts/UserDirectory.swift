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
final class UserDirectory: @unchecked Sendable {
    private struct Slot { let entry: DirectoryEntry; let fetched: Int64 }
    private let store: Store
    private let ttlMicros: Int64
    private let capacity: Int
    private let lock = NSLock()
    private var slots: [String: Slot] = [:]

    init(store: Store, ttlSeconds: Double = 2, capacity: Int = 50_000) {
        self.store = store
        ttlMicros = Int64(ttlSeconds * 1_000_000)
        self.capacity = capacity
    }

    /// The user with this token (active or not), nil when there is none.
    func user(token: String) throws -> DirectoryEntry? {
        let now = Clock.nowMicros()
        if let slot = lock.withLock({ slots[token] }), now - slot.fetched < ttlMicros { return slot.entry }
        guard let entry = try store.read({ c -> DirectoryEntry? in
            guard let record = try AccountsStore.user(token: token, c) else { return nil }
            return DirectoryEntry(record: record, subscription: try AccountsStore.subscription(userId: record.id, c))
        }) else { return nil }
        lock.withLock {
            if slots.count >= capacity { slots.removeAll(keepingCapacity: true) }
            slots[token] = Slot(entry: entry, fetched: now)
        }
        return entry
    }

    func invalidate(_ token: String) {
        _ = lock.withLock { slots.removeValue(forKey: token) }
    }
}
