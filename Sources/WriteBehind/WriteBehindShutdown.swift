/// What every `WriteBehindCache` offers whatever its table, so an application can hold its caches in one
/// list for timers, metrics, health and shutdown.
public protocol WriteBehindCacheControl: Sendable {
    /// The table's name.
    var name: String { get }
    /// Whether a write now would be acknowledged.
    var isAcceptingWrites: Bool { get }
    /// Why writes are refused, and when the last snapshot and flush succeeded.
    var health: CacheHealth { get }
    /// Figures for /metrics.
    func stats() async -> CacheStats
    /// Starts the flush and snapshot timers.
    func startTimers(flushInterval: Double, snapshotInterval: Double, log: @escaping @Sendable (String) -> Void)
    /// Shuts this cache down before `deadline` (see `WriteBehindCache.shutdown(until:)`).
    func shutdown(until deadline: ContinuousClock.Instant) async -> CacheShutdownReport
}

extension WriteBehindCache: WriteBehindCacheControl {}

/// Shuts every cache down together under one deadline.
public enum WriteBehindShutdown {
    /// The deadline `WriteBehindCache.shutdown()` uses.
    public static let defaultDeadline: Duration = .seconds(20)

    /// Shuts `caches` down in parallel, all before `deadline` from now: each refuses writes, snapshots
    /// what it holds, flushes it and removes its snapshots, or keeps them when the flush cannot complete
    /// (a full or read-only disk, a database locked by another process). Returns by the deadline with
    /// one report per cache, in the order given.
    ///
    /// Log the report at error level unless `isFlushed`; exit with a failure status when
    /// `lostEntries > 0` (acknowledged writes neither in the database nor in a snapshot). Whatever is in
    /// the snapshots is replayed at the next start.
    public static func run(caches: [any WriteBehindCacheControl], deadline: Duration = defaultDeadline) async -> ShutdownReport {
        let started = ContinuousClock.now
        let until = started + deadline
        let reports = await withTaskGroup(of: (Int, CacheShutdownReport).self) { group in
            for (i, cache) in caches.enumerated() {
                group.addTask { (i, await cache.shutdown(until: until)) }
            }
            var reports = [CacheShutdownReport?](repeating: nil, count: caches.count)
            for await (i, report) in group { reports[i] = report }
            return reports.compactMap { $0 }
        }
        let elapsed = ContinuousClock.now - started
        return ShutdownReport(caches: reports, duration: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// When a shutdown stops its flush and lock waits so as to report by `deadline`: a tenth of the time
    /// left before it, at most half a second.
    static func stopInstant(before deadline: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let left = deadline - .now
        return deadline - min(.milliseconds(500), max(.zero, left / 10))
    }
}
