import FoundationEssentials
import Store

extension WriteBehindCache {
    // MARK: - Timers

    /// Starts the periodic flush and snapshot timers (tasks sleeping the interval); a failing flush or
    /// snapshot is logged through `log` and retried at the next tick. `log` also receives dropped rows
    /// and changes of availability.
    public func startTimers(flushInterval: Double, snapshotInterval: Double,
                            log: @escaping @Sendable (String) -> Void) {
        let name = self.name
        state.withLock { s in
            s.log = log
            guard s.timers.isEmpty, !s.shutDown else { return }
            s.timers = [
                // Snapshot failures are logged where they are noticed (once per distinct failure).
                makeTimer(every: snapshotInterval) { cache in _ = try? await cache.snapshot() },
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

    // MARK: - Shutdown

    /// Stops the timers, refuses further writes and, before `deadline`, keeps everything acknowledged:
    /// first a snapshot of every pending entry (on a full disk, through the released reserve), then a flush
    /// to the database, retried while another process holds the lock; the snapshot files are removed once
    /// the flush succeeded, and kept for the next start when it did not. Shortly before the deadline a
    /// flush still running stops between batches and the store stops waiting for locks, so this returns
    /// by the deadline whatever the database does. Never throws: the report says what is flushed, what
    /// is only in snapshots, and what is lost.
    ///
    /// To shut several caches down under one deadline, use `WriteBehindShutdown.run`.
    public func shutdown(until deadline: ContinuousClock.Instant) async -> CacheShutdownReport {
        let started = ContinuousClock.now
        let timers = state.withLock { s -> [Task<Void, Never>] in
            s.shutDown = true
            defer { s.timers = [] }
            return s.timers
        }
        for t in timers { t.cancel() }   // awaited at the end: a timer's flush stops at the deadline like ours
        for s in shards { await s.close() }
        let stopAt = WriteBehindShutdown.stopInstant(before: deadline)
        let watchdog = startShutdownWatchdog(stopAt: stopAt)
        defer { watchdog.cancel() }

        var snapshotError: Error?
        do { _ = try await snapshot() } catch { snapshotError = error }
        let flushError = await flushUntilDone(stopAt: stopAt)
        if flushError == nil {
            do { try await removeSnapshotFiles() } catch {
                log("write-behind \(name): flushed, but the snapshot files stay (\(error)); the next start skips their entries")
            }
        } else if await durability().unsnapshotted > 0 {
            // The first snapshot failed, or a failed flush freed the reserve meanwhile: once more.
            do { _ = try await snapshot(); snapshotError = nil } catch { snapshotError = error }
        }
        for t in timers { await t.value }   // nothing of theirs runs after this returns
        let (pending, unsnapshotted) = await durability()
        return CacheShutdownReport(
            name: name, unflushedEntries: pending, snapshottedEntries: pending - unsnapshotted,
            flushError: pending == 0 ? nil : flushError.map { String(describing: $0) } ?? "not finished",
            snapshotError: unsnapshotted == 0 ? nil : snapshotError.map { String(describing: $0) },
            duration: Self.seconds(since: started))
    }

    /// Stops, refuses further writes, flushes everything and removes the snapshot files, within 20 s.
    /// Throws `notFlushedAtShutdown` with the report when the flush did not complete (what is in the
    /// snapshots is replayed at the next start). Prefer `WriteBehindShutdown.run` for several caches.
    public func shutdown() async throws {
        let report = await shutdown(until: .now + WriteBehindShutdown.defaultDeadline)
        if !report.isFlushed { throw WriteBehindError.notFlushedAtShutdown(report) }
    }

    /// Near the deadline: the flush stops between batches and the store stops waiting for locks.
    private func startShutdownWatchdog(stopAt: ContinuousClock.Instant) -> Task<Void, Never> {
        let store = self.store
        return Task { [weak self] in
            do { try await Task.sleep(until: stopAt, clock: .continuous) } catch { return }
            self?.flushAbort.store(true, ordering: .relaxed)
            store.stopWaitingForLocks()
        }
    }

    /// Flushes until it succeeds, fails for a reason retrying cannot fix, or `stopAt` comes; nil on
    /// success, else the last failure.
    private func flushUntilDone(stopAt: ContinuousClock.Instant) async -> Error? {
        var attempt = 0
        while true {
            attempt += 1
            do {
                _ = try await flush()
                return nil
            } catch {
                log("write-behind \(name): shutdown flush attempt \(attempt) failed: \(error)")
                if isOutOfSpace(error), await releaseReserve(after: error) { continue }   // at once, with the room
                let pause = Duration.milliseconds(min(100 * attempt, 1000))
                guard (error as? StoreError)?.isBusy == true, ContinuousClock.now + pause < stopAt else { return error }
                try? await Task.sleep(for: pause)
            }
        }
    }

    /// Pending entries, and those in no snapshot file, over all shards.
    func durability() async -> (pending: Int, unsnapshotted: Int) {
        var pending = 0, unsnapshotted = 0
        for s in shards {
            let d = await s.durability()
            pending += d.pending
            unsnapshotted += d.unsnapshotted
        }
        return (pending, unsnapshotted)
    }

    private func removeSnapshotFiles() async throws {
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

    /// Pending entries, last flush rows and duration, last snapshot duration, availability (for /metrics).
    public func stats() async -> CacheStats {
        var perShard: [Int] = []
        var counted = 0
        var unsnapshotted = 0
        for s in shards {
            let sizes = await s.sizes()
            perShard.append(sizes.pending)
            counted += sizes.countedOwners
            unsnapshotted += await s.durability().unsnapshotted
        }
        let snapshot = state.withLock { $0 }
        return CacheStats(
            name: name, pendingEntries: perShard.reduce(0, +), pendingPerShard: perShard, countedOwners: counted,
            lastFlushRows: snapshot.lastFlushRows, lastFlushRejected: snapshot.lastFlushRejected,
            lastFlushDuration: snapshot.lastFlushDuration, flushFailures: snapshot.flushFailures,
            lastFlushError: snapshot.lastFlushError, lastSnapshotDuration: snapshot.lastSnapshotDuration,
            lastSnapshotBytes: snapshot.lastSnapshotBytes, lastSnapshotEntries: snapshot.lastSnapshotEntries,
            acceptingWrites: snapshot.refusal == nil, snapshotFailures: snapshot.snapshotFailures,
            unsnapshottedEntries: unsnapshotted, lastSnapshotAt: snapshot.lastSnapshotAt,
            lastFlushAt: snapshot.lastFlushAt)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
