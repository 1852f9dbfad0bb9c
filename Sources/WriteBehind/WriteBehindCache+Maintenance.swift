import Foundation
import Store

extension WriteBehindCache {
    // MARK: - Flush

    /// Applies every pending write to the database, shard after shard, in transactions of at most
    /// `flushBatchSize` rows, then drops exactly the entries applied (a write that arrived meanwhile stays).
    /// A batch refused with a constraint violation is retried row by row and only the refused rows are
    /// dropped (and logged); any other failure keeps the rest pending and throws. One flush at a time.
    public func flush() async throws -> FlushReport {
        try await flushGate.withLock { try await self.flushAll() }
    }

    private func flushAll() async throws -> FlushReport {
        let started = ContinuousClock.now
        var rows = 0
        var rejected = 0
        do {
            for (i, shard) in shards.enumerated() {
                let r = try await flushShard(shard, number: i)
                rows += r.rows
                rejected += r.rejected
            }
        } catch {
            state.withLock { s in
                s.flushFailures += 1
                s.lastFlushError = String(describing: error)
            }
            throw error
        }
        let report = FlushReport(rows: rows, rejected: rejected, duration: Self.seconds(since: started))
        state.withLock { s in
            s.lastFlushRows = rows
            s.lastFlushRejected = rejected
            s.lastFlushDuration = report.duration
            s.lastFlushError = nil
        }
        return report
    }

    private func flushShard(_ shard: Shard<Table>, number: Int) async throws -> (rows: Int, rejected: Int) {
        let (entries, upTo) = await shard.takePending()
        guard !entries.isEmpty else { return (0, 0) }
        let table = self.table
        let name = self.name
        var rows = 0
        var rejected = 0
        var at = 0
        while at < entries.count {
            let batch = entries[at..<min(at + batchSize, entries.count)]
            let isLast = batch.endIndex == entries.count
            var refused: [(Int, String)] = []
            do {
                try await store.write { c in
                    try BatchApplier.apply(table, c, batch)
                    if isLast { try FlushState.record(c, cache: name, shard: number, seq: upTo) }
                }
            } catch let e as StoreError where e.isConstraintViolation {
                refused = try await store.write { c in
                    let refused = try BatchApplier.applyEach(table, c, batch)
                    if isLast { try FlushState.record(c, cache: name, shard: number, seq: upTo) }
                    return refused.map { PendingRefusal(position: $0.0, reason: $0.1) }
                }.map { ($0.position, $0.reason) }
            }
            for (i, why) in refused {
                let w = batch[batch.startIndex + i]
                log("write-behind \(name): dropped (owner \(w.owner), user \(w.user)), refused by the database: \(why)")
            }
            await shard.dropFlushed(batch, refused: refused.map { $0.0 })
            rows += batch.count - refused.count
            rejected += refused.count
            at = batch.endIndex
        }
        return (rows, rejected)
    }

    // MARK: - Snapshot

    /// Writes each shard changed since its last snapshot to `<dir>/<name>-<shard>.snapshot` (temporary file,
    /// fsync, rename, then one fsync of the directory); a shard that became empty has its file removed.
    /// The image is built inside the shard (fast); the file work runs off the actors and the task pool.
    public func snapshot() async throws -> SnapshotReport {
        try await snapshotGate.withLock { try await self.snapshotAll() }
    }

    private func snapshotAll() async throws -> SnapshotReport {
        let started = ContinuousClock.now
        var report = SnapshotReport(filesWritten: 0, filesRemoved: 0, bytes: 0, entries: 0, duration: 0)
        var saved: [(shard: Int, generation: UInt64)] = []
        for (i, shard) in shards.enumerated() {
            guard let image = try await shard.snapshotImage() else { continue }
            let path = directory + "/" + SnapshotFiles.fileName(cache: name, shard: i)
            if let bytes = image.bytes {
                try await SnapshotFiles.onQueue { try SnapshotFiles.writeAtomically(bytes, to: path) }
                report.filesWritten += 1
                report.bytes += bytes.count
                report.entries += image.entries
            } else if try await SnapshotFiles.onQueue({ try SnapshotFiles.remove(path) }) {
                report.filesRemoved += 1
            }
            saved.append((i, image.generation))
        }
        if !saved.isEmpty {
            let dir = directory
            try await SnapshotFiles.onQueue { try SnapshotFiles.syncDirectory(dir) }
            for s in saved { await shards[s.shard].snapshotSaved(s.generation) }
        }
        report.duration = Self.seconds(since: started)
        if !saved.isEmpty {
            state.withLock { s in
                s.lastSnapshotDuration = report.duration
                s.lastSnapshotBytes = report.bytes
                s.lastSnapshotEntries = report.entries
            }
        }
        return report
    }

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

/// A row refused during a flush (Sendable across the writer thread).
struct PendingRefusal: Sendable {
    var position: Int
    var reason: String
}
