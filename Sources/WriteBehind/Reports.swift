import FoundationEssentials

/// What one `flush()` did.
public struct FlushReport: Sendable, Equatable {
    /// Rows written to the database (inserts, updates and deletes).
    public var rows: Int
    /// Rows the database refused with a constraint violation (dropped and logged).
    public var rejected: Int
    /// Wall time in seconds.
    public var duration: Double
}

/// What one `snapshot()` did.
public struct SnapshotReport: Sendable, Equatable {
    /// Shard files written.
    public var filesWritten: Int
    /// Shard files removed because their shard became empty.
    public var filesRemoved: Int
    /// Bytes written.
    public var bytes: Int
    /// Entries written.
    public var entries: Int
    /// Wall time in seconds.
    public var duration: Double
}

/// A cache's figures for /metrics.
public struct CacheStats: Sendable, Equatable {
    /// The table's name.
    public var name: String
    /// Pending entries over all shards.
    public var pendingEntries: Int
    /// Pending entries per shard.
    public var pendingPerShard: [Int]
    /// Owners whose counts are held in memory.
    public var countedOwners: Int
    /// Rows written by the last successful flush.
    public var lastFlushRows: Int
    /// Rows the last successful flush dropped because the database refused them.
    public var lastFlushRejected: Int
    /// Duration of the last successful flush in seconds.
    public var lastFlushDuration: Double
    /// Flushes that failed since start.
    public var flushFailures: Int
    /// The last failure's message, nil once a flush succeeded after it.
    public var lastFlushError: String?
    /// Duration of the last snapshot that wrote or removed a file, in seconds.
    public var lastSnapshotDuration: Double
    /// Bytes that snapshot wrote.
    public var lastSnapshotBytes: Int
    /// Entries that snapshot wrote.
    public var lastSnapshotEntries: Int
    /// Whether writes are acknowledged now (false while snapshots fail: see `CacheHealth`).
    public var acceptingWrites: Bool = true
    /// Snapshots that failed since start.
    public var snapshotFailures: Int = 0
    /// Pending entries not in any snapshot yet (acknowledged since the last successful snapshot): what a
    /// crash now would lose.
    public var unsnapshottedEntries: Int = 0
    /// Wall-clock time of the last successful snapshot and flush, nil before the first.
    public var lastSnapshotAt: Date?
    public var lastFlushAt: Date?
}

/// Whether a cache can keep writes now, and why not (for /healthz and /metrics).
public struct CacheHealth: Sendable, Equatable {
    /// The state of the space kept free for a final snapshot and flush (see `WriteBehindCache.init`).
    public enum Reserve: Sendable, Equatable {
        /// No reserve was asked for (size 0).
        case disabled
        /// The file is in place.
        case held
        /// It was deleted to let a snapshot or flush through on a full disk; writes stay refused until
        /// it can be made again (space was freed).
        case released
        /// It could not be made (the reason); writes are not refused for that alone.
        case missing(String)
    }

    /// The table's name.
    public var name: String
    /// False while a write would be refused with `WriteBehindError.storageUnavailable`.
    public var acceptingWrites: Bool
    /// Why writes are refused, nil while they are accepted.
    public var refusal: String?
    /// The last snapshot's failure, nil once one succeeded after it.
    public var lastSnapshotError: String?
    /// The last flush's failure, nil once one succeeded after it.
    public var lastFlushError: String?
    /// Wall-clock time of the last successful snapshot (one that left every pending entry on disk).
    public var lastSnapshotAt: Date?
    /// Wall-clock time of the last successful flush.
    public var lastFlushAt: Date?
    /// The reserve file's state.
    public var reserve: Reserve
}

/// What loading the snapshots found at start.
public struct SnapshotLoadReport: Sendable, Equatable {
    /// Entries read from the files.
    public var entriesRead = 0
    /// Entries already in the database (sequence number ≤ the shard's flushed_seq), skipped.
    public var entriesAlreadyFlushed = 0
    /// Entries naming an owner or a user the database does not have (deleted, or lost with its -wal
    /// file), dropped and reported once. Counted only for tables that implement `existingOwners` /
    /// `existingUsers`.
    public var entriesDropped = 0
    /// Distinct owners and users missing from the database among those entries.
    public var missingOwners = 0
    public var missingUsers = 0
    /// Entries kept pending (or applied at once when the files had another shard layout).
    public var entriesReplayed = 0
}
