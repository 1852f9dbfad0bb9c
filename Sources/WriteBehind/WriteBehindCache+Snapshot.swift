import FoundationEssentials
import Store

extension WriteBehindCache {
    // MARK: - Snapshot

    /// Writes each shard changed since its last snapshot to `<dir>/<name>-<shard>.snapshot` (temporary file,
    /// fsync, rename, then one fsync of the directory); a shard that became empty has its file removed.
    /// The shard hands over its state in O(1); encoding and file work run off the actors and the task pool.
    ///
    /// A failure stops writes from being acknowledged until a snapshot succeeds again (see
    /// WriteBehindCache+Availability.swift); on a full disk the reserve is released and the snapshot
    /// retried at once, so that what was acknowledged reaches the disk.
    public func snapshot() async throws -> SnapshotReport {
        try await snapshotGate.withLock { try await self.snapshotKeepingAvailability() }
    }

    private func snapshotKeepingAvailability() async throws -> SnapshotReport {
        if reserve.needsRestoring {
            let reserve = self.reserve
            let wasReleased = reserve.isReleased
            if try await SnapshotFiles.onQueue({ reserve.restore() }), wasReleased {
                log("write-behind \(name): space is back: the reserve is held again")
            }
        }
        do {
            let report = try await snapshotAll()
            snapshotSucceeded()
            return report
        } catch {
            snapshotFailed(error)
            guard isOutOfSpace(error), await releaseReserve(after: error) else { throw error }
            do {
                let report = try await snapshotAll()
                snapshotSucceeded()   // writes stay refused while the reserve is released
                return report
            } catch {
                snapshotFailed(error)
                throw error
            }
        }
    }

    /// Deletes the reserve to make room; false when there was none to delete.
    func releaseReserve(after error: Error) async -> Bool {
        let reserve = self.reserve
        guard (try? await SnapshotFiles.onQueue({ reserve.release() })) == true else { return false }
        log("write-behind \(name): the disk is full (\(error)); released the \(reserve.bytes)-byte reserve "
            + "to keep what was acknowledged; writes are refused until space is freed")
        refuseWrites(reason: "the disk is full; writes resume once space is freed")
        return true
    }

    private func snapshotAll() async throws -> SnapshotReport {
        let started = ContinuousClock.now
        var report = SnapshotReport(filesWritten: 0, filesRemoved: 0, bytes: 0, entries: 0, duration: 0)
        var saved: [(shard: Int, generation: UInt64, seq: UInt64)] = []
        let name = self.name
        let shardCount = shards.count
        for (i, shard) in shards.enumerated() {
            guard let image = await shard.snapshotImage() else { continue }
            let path = directory + "/" + SnapshotFiles.fileName(cache: name, shard: i)
            let outcome = try await SnapshotFiles.onQueue { () -> SnapshotOutcome in
                if image.count == 0 { return SnapshotOutcome(bytes: 0, removed: try SnapshotFiles.remove(path)) }
                let bytes = try image.encodeSnapshot(shardIndex: i, shardCount: shardCount, cache: name)
                try SnapshotFiles.writeAtomically(bytes, to: path)
                return SnapshotOutcome(bytes: bytes.count, removed: false)
            }
            if image.count > 0 {
                report.filesWritten += 1
                report.bytes += outcome.bytes
                report.entries += image.count
            } else if outcome.removed {
                report.filesRemoved += 1
            }
            saved.append((i, image.generation, image.lastSeq))
        }
        if !saved.isEmpty {
            let dir = directory
            try await SnapshotFiles.onQueue { try SnapshotFiles.syncDirectory(dir) }
            for s in saved { await shards[s.shard].snapshotSaved(generation: s.generation, seq: s.seq) }
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
}

/// What writing one shard's snapshot file did.
struct SnapshotOutcome: Sendable {
    var bytes: Int
    var removed: Bool
}
