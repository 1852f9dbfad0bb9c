import Foundation
import Store

extension WriteBehindCache {
    // MARK: - Timers and shutdown

    /// Starts the periodic flush and snapshot timers (tasks sleeping the interval); a failing flush or
    /// snapshot is logged through `log` and retried at the next tick. `log` also receives dropped rows.
    public func startTimers(flushInterval: Double, snapshotInterval: Double,
                            log: @escaping @Sendable (String) -> Void) {
        let name = self.name
        state.withLock { s in
            s.log = log
            guard s.timers.isEmpty, !s.shutDown else { return }
            s.timers = [
                makeTimer(every: snapshotInterval) { cache in
                    do { _ = try await cache.snapshot() } catch { cache.log("write-behind \(name): snapshot failed: \(error)") }
                },
                makeTimer(every: flushInterval) { cache in
                    do { _ = try await cache.flush() } catch { cache.log("write-behind \(name): flush failed, will retry: \(error)") }
                },
            ]
        }
    }

    private func makeTimer(every interval: Double,
                           _ work: @escaping @Sendable (WriteBehindCache) async -> Void) -> Task<Void, Never> {
        let nanoseconds = UInt64(min(max(interval.isFinite ? interval : 1, 0.001), 86_400) * 1e9)
        return Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: nanoseconds) } catch { return }
                guard let cache = self else { return }
                await work(cache)
            }
        }
    }

    /// Stops the timers, refuses further writes, flushes everything (retrying a few times) and removes the
    /// snapshot files. When the flush keeps failing, takes a last snapshot instead (nothing is lost: the
    /// next start replays it) and throws.
    public func shutdown() async throws {
        let timers = state.withLock { s -> [Task<Void, Never>] in
            s.shutDown = true
            defer { s.timers = [] }
            return s.timers
        }
        for t in timers { t.cancel() }
        for t in timers { await t.value }
        for s in shards { await s.close() }
        var failure: Error?
        for attempt in 1...4 {
            do {
                _ = try await flush()
                failure = nil
                break
            } catch {
                failure = error
                log("write-behind \(name): shutdown flush attempt \(attempt) failed: \(error)")
                if attempt < 4 { try? await Task.sleep(nanoseconds: 100_000_000 * UInt64(attempt)) }
            }
        }
        if let failure {
            _ = try? await snapshot()
            throw failure
        }
        let dir = directory
        let paths = (0..<shards.count).map { dir + "/" + SnapshotFiles.fileName(cache: name, shard: $0) }
        try await snapshotGate.withLock {
            try await SnapshotFiles.onQueue {
                for p in paths { try SnapshotFiles.remove(p) }
                try SnapshotFiles.syncDirectory(dir)
            }
        }
    }

    // MARK: - Stats

    /// Pending entries, last flush rows and duration, last snapshot duration (for /metrics).
    public func stats() async -> CacheStats {
        var perShard: [Int] = []
        var counted = 0
        for s in shards {
            let sizes = await s.sizes()
            perShard.append(sizes.pending)
            counted += sizes.countedOwners
        }
        let snapshot = state.withLock { $0 }
        return CacheStats(
            name: name, pendingEntries: perShard.reduce(0, +), pendingPerShard: perShard, countedOwners: counted,
            lastFlushRows: snapshot.lastFlushRows, lastFlushRejected: snapshot.lastFlushRejected,
            lastFlushDuration: snapshot.lastFlushDuration, flushFailures: snapshot.flushFailures,
            lastFlushError: snapshot.lastFlushError, lastSnapshotDuration: snapshot.lastSnapshotDuration,
            lastSnapshotBytes: snapshot.lastSnapshotBytes, lastSnapshotEntries: snapshot.lastSnapshotEntries)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
