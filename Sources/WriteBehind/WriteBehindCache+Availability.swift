import FoundationEssentials

// Acknowledge only what can be kept.
//
// A write is acknowledged from memory, and it is kept (survives a crash) once a snapshot holds it. So
// while snapshots fail — full or read-only disk, I/O errors — the cache refuses writes with
// WriteBehindError.storageUnavailable instead of acknowledging what it could lose; reads go on. The
// snapshot timer keeps trying, and the first snapshot that succeeds lets writes in again, by itself.
//
// The window: a write acknowledged after the last successful snapshot, before the failing one is
// noticed, is pending and in no file. It stays pending (its shard stays dirty), so the next snapshot
// that succeeds, or a flush, keeps it; until then `CacheStats.unsnapshottedEntries` counts it, and a
// shutdown that can neither flush nor snapshot it reports it as lost (`CacheShutdownReport.lostEntries`).
// On a full disk the reserve is released at once so that this window's writes do reach a snapshot;
// writes then stay refused until the reserve can be made again, i.e. until space was freed.

extension WriteBehindCache {
    /// Throws `storageUnavailable` while writes are refused: one atomic load on the hot path.
    @inline(__always) func ensureAccepting() throws {
        if !accepting.load(ordering: .acquiring) { throw refusalError() }
    }

    private func refusalError() -> WriteBehindError {
        let reason = state.withLock { $0.refusal } ?? "the last snapshot failed"
        return .storageUnavailable(cache: name, reason: reason)
    }

    /// Whether a write now would be acknowledged.
    public var isAcceptingWrites: Bool { accepting.load(ordering: .acquiring) }

    /// Refuses writes from now on, saying why (logged when the state changes).
    func refuseWrites(reason: String) {
        let changed = state.withLock { s -> Bool in
            let changed = s.refusal == nil
            s.refusal = reason
            accepting.store(false, ordering: .releasing)
            return changed
        }
        if changed { log("write-behind \(name): refusing writes: \(reason)") }
    }

    /// A snapshot left every pending entry on disk: writes are accepted again, unless the reserve was
    /// spent and not yet made again, or the cache is shut down.
    func snapshotSucceeded() {
        let reserveReleased = reserve.isReleased
        let resumed = state.withLock { s -> Bool in
            s.lastSnapshotAt = Date()
            s.lastSnapshotError = nil
            guard !reserveReleased, !s.shutDown, s.refusal != nil else { return false }
            s.refusal = nil
            accepting.store(true, ordering: .releasing)
            return true
        }
        if resumed { log("write-behind \(name): snapshots succeed again: accepting writes") }
    }

    /// A snapshot failed: what was acknowledged since the last good one is in memory only. Logged when
    /// the failure differs from the previous one (the timer retries every interval).
    func snapshotFailed(_ error: Error) {
        let message = String(describing: error)
        let new = state.withLock { s -> Bool in
            s.snapshotFailures += 1
            defer { s.lastSnapshotError = message }
            return s.lastSnapshotError != message
        }
        if new { log("write-behind \(name): snapshot failed: \(message)") }
        refuseWrites(reason: "snapshots fail (\(message))")
    }

    /// Whether writes are accepted, why not, and when the last snapshot and flush succeeded.
    public var health: CacheHealth {
        let reserveStatus = reserve.status
        return state.withLock { s in
            CacheHealth(name: name, acceptingWrites: s.refusal == nil, refusal: s.refusal,
                        lastSnapshotError: s.lastSnapshotError, lastFlushError: s.lastFlushError,
                        lastSnapshotAt: s.lastSnapshotAt, lastFlushAt: s.lastFlushAt, reserve: reserveStatus)
        }
    }
}
