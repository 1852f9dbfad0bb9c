import Foundation

/// A small thread-safe map whose entries are trusted for `ttl` seconds, then fetched again. Used where a
/// request would otherwise query SQLite for the same row every time (the caller, the channel); the owners
/// invalidate entries they change, so the TTL only bounds what other processes might have changed.
final class ExpiringCache<Value>: @unchecked Sendable {
    private struct Slot { let value: Value; let fetched: Int64 }
    private let ttlMicros: Int64
    private let capacity: Int
    private let lock = NSLock()
    private var slots: [String: Slot] = [:]

    init(ttlSeconds: Double = 2, capacity: Int = 50_000) {
        ttlMicros = Int64(ttlSeconds * 1_000_000)
        self.capacity = capacity
    }

    /// The cached value, or `fetch()`'s (which is cached when not nil).
    func value(_ key: String, fetch: () throws -> Value?) rethrows -> Value? {
        let now = Clock.nowMicros()
        if let slot = lock.withLock({ slots[key] }), now - slot.fetched < ttlMicros { return slot.value }
        guard let value = try fetch() else { return nil }
        lock.withLock {
            if slots.count >= capacity { slots.removeAll(keepingCapacity: true) }
            slots[key] = Slot(value: value, fetched: now)
        }
        return value
    }

    func invalidate(_ key: String) {
        _ = lock.withLock { slots.removeValue(forKey: key) }
    }

    func invalidateAll() {
        lock.withLock { slots.removeAll(keepingCapacity: true) }
    }
}
