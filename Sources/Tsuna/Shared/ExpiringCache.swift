import Platform

/// A small thread-safe map whose entries are trusted for `ttl` seconds, then fetched again. Used where a
/// request would otherwise query SQLite for the same row every time (the caller, the channel); the owners
/// invalidate entries they change, so the TTL only bounds what other processes might have changed.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Slot { let value: Value; let fetched: Int64 }
    private let ttlMicros: Int64
    private let capacity: Int
    private let slots = Locked<[Key: Slot]>([:])

    init(ttlSeconds: Double = 2, capacity: Int = 50_000) {
        ttlMicros = Int64(ttlSeconds * 1_000_000)
        self.capacity = capacity
    }

    /// The cached value, or `fetch()`'s (which is cached when not nil).
    func value(_ key: Key, fetch: () throws -> Value?) rethrows -> Value? {
        let now = Clock.nowMicros()
        if let slot = slots.withLock({ $0[key] }), now - slot.fetched < ttlMicros { return slot.value }
        guard let value = try fetch() else { return nil }
        store(key, value, now: now)
        return value
    }

    /// The fresh cached value, nil when absent or stale (callers batch the misses).
    func cached(_ key: Key) -> Value? {
        let now = Clock.nowMicros()
        guard let slot = slots.withLock({ $0[key] }), now - slot.fetched < ttlMicros else { return nil }
        return slot.value
    }

    func store(_ key: Key, _ value: Value, now: Int64 = Clock.nowMicros()) {
        slots.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = Slot(value: value, fetched: now)
        }
    }

    func invalidate(_ key: Key) {
        _ = slots.withLock { $0.removeValue(forKey: key) }
    }

    func invalidateAll() {
        slots.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
