import Store

/// Which shard holds an owner: stable across runs (the snapshot files depend on it).
enum ShardRouting {
    @inline(__always) static func shard(of owner: Int64, count: Int) -> Int {
        let h = UInt64(bitPattern: owner) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: (h >> 32) % UInt64(count))
    }
}

/// Loads a cache's snapshot files at start.
///
/// Each file is validated completely before any of it is used. Entries with a sequence number ≤ the
/// shard's flushed_seq are already in the database and are skipped. When the files were written with
/// another shard count (or another routing), their entries are applied to the database right away
/// instead of being re-sharded in memory: sequence numbers are per shard, so moving an entry to another
/// shard would compare it against the wrong flushed_seq. After applying, every flushed_seq of the cache
/// is raised to the highest sequence number seen and the old files are removed; a crash in between
/// leaves files whose entries are all ≤ flushed_seq, which the next start skips.
enum SnapshotLoader {
    /// The shards' states: loaded entries, every sequence counter above all numbers used so far, and a
    /// snapshot due for each shard whose file existed (rewritten or removed); and what was found.
    ///
    /// Entries naming owners or users the database lacks (when the table checks: see
    /// `WriteBehindTable.existingOwners`) are dropped and reported in one line.
    static func load<T: WriteBehindTable>(table: T, store: Store, directory: String, shardCount: Int,
                                          countedOwnerLimit: Int, batchSize: Int,
                                          log: (String) -> Void) throws -> (states: [ShardState<T>], report: SnapshotLoadReport) {
        let name = table.name
        let flushed = try store.read { try FlushState.read($0, cache: name) }
        let listing = try SnapshotFiles.list(directory: directory, cache: name)
        for tmp in listing.temporaries { try SnapshotFiles.remove(tmp) }

        var report = SnapshotLoadReport()
        var lastSeq = flushed.values.max() ?? 0
        var sameLayout = true
        var files: [(shard: Int, path: String, kept: [SnapshotEntry<T.Value>])] = []
        for f in listing.files {
            let bytes = try SnapshotFiles.read(f.path)
            let (header, entries) = try SnapshotDecoder.decode(bytes, file: f.path, as: T.Value.self)
            guard header.shardIndex == f.shard else {
                throw WriteBehindError.corruptSnapshot(
                    file: f.path, reason: "its name says shard \(f.shard) but its header says \(header.shardIndex)")
            }
            if header.shardCount != shardCount { sameLayout = false }
            lastSeq = max(lastSeq, header.maxSeq)
            let floor = flushed[f.shard] ?? 0
            var kept: [SnapshotEntry<T.Value>] = []
            kept.reserveCapacity(entries.count)
            for e in entries {
                lastSeq = max(lastSeq, e.seq)
                if sameLayout && ShardRouting.shard(of: e.owner, count: shardCount) != f.shard { sameLayout = false }
                if e.seq > floor { kept.append(e) }
            }
            report.entriesRead += entries.count
            report.entriesAlreadyFlushed += entries.count - kept.count
            files.append((f.shard, f.path, kept))
        }
        try dropEntriesOfMissingRows(&files, table: table, store: store, report: &report, log: log)
        report.entriesReplayed = files.reduce(0) { $0 + $1.kept.count }

        var states = (0..<shardCount).map { _ in
            ShardState(table: table, store: store, countedOwnerLimit: countedOwnerLimit)
        }
        for i in states.indices {
            states[i].lastSeq = lastSeq
            states[i].savedSeq = lastSeq   // what is loaded is in the files already
        }
        if sameLayout {
            for f in files {
                states[f.shard].generation = 1   // dirty: the next snapshot rewrites or removes the file
                for e in f.kept { try states[f.shard].add(e, file: f.path) }
            }
            return (states, report)
        }

        let writes = files.flatMap { f in f.kept.map { PendingWrite(owner: $0.owner, user: $0.user, seq: $0.seq, value: $0.value) } }
        log("write-behind \(name): the snapshots were written with another shard layout; "
            + "applying their \(writes.count) pending writes to the database")
        var at = 0
        while at < writes.count {
            let batch = writes[at..<min(at + max(1, batchSize), writes.count)]
            do {
                try store.writeSync { c in try BatchApplier.apply(table, c, batch) }
            } catch let e as StoreError where e.isConstraintViolation {
                let refused = try store.writeSync { c in try BatchApplier.applyEach(table, c, batch) }
                for (i, why) in refused {
                    let w = batch[batch.startIndex + i]
                    log("write-behind \(name): dropped (owner \(w.owner), user \(w.user)): \(why)")
                }
            }
            at = batch.endIndex
        }
        let marked = max(shardCount, (files.map { $0.shard }.max() ?? -1) + 1)
        try store.writeSync { c in
            for s in 0..<marked { try FlushState.record(c, cache: name, shard: s, seq: lastSeq) }
        }
        for f in files { try SnapshotFiles.remove(f.path) }
        try SnapshotFiles.syncDirectory(directory)
        return (states, report)
    }

    /// Removes from `files` the entries whose owner or user the database lacks, and says so once.
    private static func dropEntriesOfMissingRows<T: WriteBehindTable>(
        _ files: inout [(shard: Int, path: String, kept: [SnapshotEntry<T.Value>])], table: T, store: Store,
        report: inout SnapshotLoadReport, log: (String) -> Void) throws {
        var owners = Set<Int64>(), users = Set<Int64>()
        for f in files {
            for e in f.kept {
                owners.insert(e.owner)
                users.insert(e.user)
            }
        }
        let missing = try MissingRows.find(table, store, owners: owners, users: users)
        guard !missing.owners.isEmpty || !missing.users.isEmpty else { return }
        var dropped = 0
        for i in files.indices {
            let before = files[i].kept.count
            files[i].kept.removeAll { missing.owners.contains($0.owner) || missing.users.contains($0.user) }
            dropped += before - files[i].kept.count
        }
        report.entriesDropped = dropped
        report.missingOwners = missing.owners.count
        report.missingUsers = missing.users.count
        log("write-behind \(table.name): \(dropped) snapshot entries name "
            + MissingRows.describe(owners: missing.owners.count, users: missing.users.count)
            + " the database does not have (deleted, or lost with its -wal file after a crash); they are dropped")
    }
}
