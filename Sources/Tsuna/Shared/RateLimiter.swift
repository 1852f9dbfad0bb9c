import Platform
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Token buckets keyed by client (IP or user): `requests` per `period`, bursts up to `requests`.
/// Memory stays bounded however many clients come: full buckets are dropped by a periodic sweep, and
/// the map is capped (oldest-touched buckets go first when it overflows).
final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: Double }
    private struct State { var buckets: [String: Bucket] = [:]; var lastSweep: Double = 0 }
    private let capacity: Double
    private let refillPerSecond: Double
    private let maxKeys: Int
    private let state = Locked(State())

    init(rate: ThrottleRate, maxKeys: Int = 100_000) {
        capacity = Double(rate.requests)
        refillPerSecond = Double(rate.requests) / rate.periodSeconds
        self.maxKeys = maxKeys
    }

    /// nil when allowed (a token is taken), else the whole seconds to wait.
    func acquire(_ key: String, now: Double = RateLimiter.now()) -> Int? {
        state.withLock { s in
            if now - s.lastSweep > 10 || s.buckets.count >= maxKeys { sweep(&s, now) }
            var b = s.buckets[key] ?? Bucket(tokens: capacity, updated: now)
            b.tokens = min(capacity, b.tokens + (now - b.updated) * refillPerSecond)
            b.updated = now
            if b.tokens >= 1 {
                b.tokens -= 1
                s.buckets[key] = b
                return nil
            }
            s.buckets[key] = b
            return max(1, Int(((1 - b.tokens) / refillPerSecond).rounded(.up)))
        }
    }

    var keyCount: Int { state.withLock { $0.buckets.count } }

    private func sweep(_ s: inout State, _ now: Double) {
        s.lastSweep = now
        s.buckets = s.buckets.filter { min(capacity, $0.value.tokens + (now - $0.value.updated) * refillPerSecond) < capacity }
        if s.buckets.count >= maxKeys {
            let keep = s.buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maxKeys / 2)
            s.buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
