import Foundation
import Store

/// Channels by token with a short-lived in-memory copy: every channel-scoped request (detail, subscribers,
/// admins, contents, votes, comments) starts by resolving its channel. Updates and deletes of a channel
/// invalidate its entry at once; a profile change clears everything (channels show their owner's name).
final class ChannelDirectory: @unchecked Sendable {
    private struct Slot { let channel: ChannelRecord; let fetched: Int64 }
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

    func channel(token: String) throws -> ChannelRecord? {
        let now = Clock.nowMicros()
        if let slot = lock.withLock({ slots[token] }), now - slot.fetched < ttlMicros { return slot.channel }
        guard let channel = try store.read({ try ChannelsStore.channel(token: token, $0) }) else { return nil }
        lock.withLock {
            if slots.count >= capacity { slots.removeAll(keepingCapacity: true) }
            slots[token] = Slot(channel: channel, fetched: now)
        }
        return channel
    }

    func invalidate(_ token: String) {
        _ = lock.withLock { slots.removeValue(forKey: token) }
    }

    func invalidateAll() {
        lock.withLock { slots.removeAll(keepingCapacity: true) }
    }
}
