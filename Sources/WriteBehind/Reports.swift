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
}
