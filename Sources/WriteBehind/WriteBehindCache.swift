import Platform
import FoundationEssentials
import Store
import Synchronization

/// Pending writes of one table held in memory, sharded over actors by owner, merged over the database for
/// every read, snapshotted to disk and flushed to SQLite in batches.
///
/// Reads see pending writes at once (read-your-writes); counts cost O(1) after the owner's first access.
/// See `FlushState` for the sequence-number invariant that makes snapshots, flushes and crashes agree.
public final class WriteBehindCache<Table: WriteBehindTable>: Sendable {
    /// The table's name (snapshot file prefix, metrics label).
    public let name: String
    let table: Table
    let store: Store
    let shards: [Shard<Table>]
    let directory: String
    let batchSize: Int
    let flushGate = AsyncLock()
    let snapshotGate = AsyncLock()
    let state: Locked<CacheState>
    /// Whether writes are acknowledged: read on every write (one atomic load), changed with
    /// `CacheState.refusal` under the state's lock.
    let accepting = Atomic(true)
    /// Set when the shutdown deadline nears: a flush stops between batches.
    let flushAbort = Atomic(false)
    /// Free space held back for a final snapshot and flush on a full disk.
    let reserve: SnapshotReserve
    /// What loading the snapshots found at start.
    public let loadReport: SnapshotLoadReport

    /// A sensible shard count: a small multiple of the core count.
    public static var defaultShardCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) * 4 }

    /// Loads and validates this cache's snapshot files from `snapshotDirectory` (created when missing),
    /// skipping entries already flushed; throws a clear error naming a bad file. `countedOwnerLimit` bounds
    /// the owners kept in memory only for their counts; `flushBatchSize` is the rows per flush transaction.
    ///
    /// `reserveBytes` of the snapshot disk are held in `<snapshotDirectory>/<name>.reserve` (0: none) and
    /// freed when a snapshot or flush fails for lack of space, so that what was acknowledged can still be
    /// kept: size it for the snapshot files of a busy interval (about 40 bytes per pending entry) plus
    /// the database's growth during a flush. When it cannot be made, a warning goes to `log`.
    /// `log` (stderr by default; `startTimers` may replace it) receives the start's reports and warnings.
    public init(table: Table, store: Store, shardCount: Int, snapshotDirectory: String,
                countedOwnerLimit: Int = 200_000, flushBatchSize: Int = 10_000, reserveBytes: Int = 4 << 20,
                log: (@Sendable (String) -> Void)? = nil) throws {
        let name = table.name
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.isASCII && (("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        else {
            throw WriteBehindError.invalidConfiguration(
                "cache name \"\(name)\" must be 1 to 64 letters, digits, '_' or '-'")
        }
        guard (1...4096).contains(shardCount) else {
            throw WriteBehindError.invalidConfiguration("shard count \(shardCount) must be between 1 and 4096")
        }
        guard (1...1_000_000).contains(table.categoryCount) else {
            throw WriteBehindError.invalidConfiguration("\(name): category count \(table.categoryCount) is out of range")
        }
        self.name = name
        self.table = table
        self.store = store
        self.directory = snapshotDirectory
        self.batchSize = max(1, flushBatchSize)
        let log = log ?? CacheState.standardErrorLog
        self.state = Locked(CacheState(log: log))
        try SnapshotFiles.makeDirectory(snapshotDirectory)
        let loaded = try SnapshotLoader.load(table: table, store: store, directory: snapshotDirectory,
                                             shardCount: shardCount, countedOwnerLimit: countedOwnerLimit / shardCount,
                                             batchSize: batchSize, log: log)
        shards = loaded.states.map { Shard(state: $0) }
        loadReport = loaded.report
        reserve = SnapshotReserve(directory: snapshotDirectory, cache: name, bytes: reserveBytes)
        if let failure = reserve.make() {
            log("write-behind \(name): warning: no reserve for a final snapshot on a full disk: \(failure)")
        }
    }

    @inline(__always) func shard(_ owner: Int64) -> Shard<Table> {
        shards[ShardRouting.shard(of: owner, count: shards.count)]
    }

    // MARK: - Reads

    /// The merged value of (owner, user): the pending write if any, else the stored row.
    public func value(owner: Int64, user: Int64) async throws -> Table.Value? {
        try await shard(owner).value(owner: owner, user: user)
    }

    /// Whether (owner, user) exists in the merged view.
    public func contains(owner: Int64, user: Int64) async throws -> Bool {
        try await value(owner: owner, user: user) != nil
    }

    /// Merged entries of the owner per category; O(1) after the owner's first access.
    public func counts(owner: Int64) async throws -> [Int] {
        try await shard(owner).counts(owner: owner)
    }

    /// Merged entries of the owner (the sum of its categories).
    public func count(owner: Int64) async throws -> Int {
        try await shard(owner).count(owner: owner)
    }

    /// A page of the owner's merged entries in (sortKey, user) order, from position `offset`: exact
    /// whatever is pending; SQLite steps over `offset` index entries to find it.
    public func page(owner: Int64, limit: Int, offset: Int) async throws -> [(user: Int64, value: Table.Value)] {
        try await shard(owner).page(owner: owner, limit: limit, offset: offset)
    }

    /// The owner's merged entries strictly after `key`, at most `limit`, in (sortKey, user) order: what a
    /// `next` link asks for, in O(limit + log k) at any depth (k: the owner's pending entries).
    public func page(owner: Int64, after key: PageKey, limit: Int) async throws -> [(user: Int64, value: Table.Value)] {
        try await shard(owner).page(owner: owner, after: key, limit: limit)
    }

    /// The owner's last `limit` merged entries strictly before `key`, in (sortKey, user) order: what a
    /// `previous` link asks for, costing as `page(owner:after:limit:)`.
    public func page(owner: Int64, before key: PageKey, limit: Int) async throws -> [(user: Int64, value: Table.Value)] {
        try await shard(owner).page(owner: owner, before: key, limit: limit)
    }

    // MARK: - Writes

    // A write is acknowledged only while the last snapshot succeeded; otherwise it throws
    // WriteBehindError.storageUnavailable and changes nothing (see WriteBehindCache+Availability.swift).

    /// Atomic check-and-insert: false (and no change) when (owner, user) already exists in the merged view.
    public func insertIfAbsent(owner: Int64, user: Int64, value: Table.Value) async throws -> Bool {
        try ensureAccepting()
        return try await shard(owner).insertIfAbsent(owner: owner, user: user, value: value)
    }

    /// Insert or replace; returns the previous merged value.
    @discardableResult
    public func put(owner: Int64, user: Int64, value: Table.Value) async throws -> Table.Value? {
        try ensureAccepting()
        return try await shard(owner).put(owner: owner, user: user, value: value)
    }

    /// Delete; returns the removed merged value, nil (and no change) when absent.
    @discardableResult
    public func remove(owner: Int64, user: Int64) async throws -> Table.Value? {
        try ensureAccepting()
        return try await shard(owner).remove(owner: owner, user: user)
    }

    /// The owner was deleted from the database by its feature (cascade): drop its pending entries and
    /// counts. Call it after the deletion committed.
    public func forgetOwner(_ owner: Int64) async {
        await shard(owner).forgetOwner(owner)
    }

    /// The user was deleted from the database: drop the user's pending entries, and all counts (they are
    /// re-read on next use). Call it after the deletion committed.
    public func forgetUser(_ user: Int64) async {
        for s in shards { await s.forgetUser(user) }
    }

    func log(_ message: String) {
        let sink = state.withLock { $0.log }
        sink(message)
    }
}
