import Store

/// The table the engine owns in the application's schema.
public enum WriteBehindSchema {
    /// Add to the application's migrations: the highest flushed sequence number per (cache, shard).
    public static let schemaSQL = "CREATE TABLE write_behind_state (cache TEXT NOT NULL, shard INTEGER NOT NULL, flushed_seq INTEGER NOT NULL, PRIMARY KEY (cache, shard)) WITHOUT ROWID;"
}

/// Reads and records `write_behind_state`.
///
/// Invariant: once `flushed_seq` of (cache, shard) is F, the database reflects every write of that shard
/// with a sequence number ≤ F (the last one per key). A flush records F = the shard's counter at the
/// moment it took the entries, in the transaction of its last batch. On load, snapshot entries with a
/// sequence number ≤ F are therefore already in the database (or superseded there) and are skipped.
enum FlushState {
    private static let selectSQL = "SELECT shard, flushed_seq FROM write_behind_state WHERE cache = ?"
    private static let recordSQL = """
        INSERT INTO write_behind_state (cache, shard, flushed_seq) VALUES (?, ?, ?)
        ON CONFLICT (cache, shard) DO UPDATE SET flushed_seq = max(flushed_seq, excluded.flushed_seq)
        """

    /// shard → flushed_seq for one cache.
    static func read(_ c: Connection, cache: String) throws -> [Int: UInt64] {
        var out: [Int: UInt64] = [:]
        do {
            try c.forEach(selectSQL, [.text(cache)]) { row in
                out[row.int(0)] = UInt64(clamping: row.int64(1))
            }
        } catch let e as StoreError where e.message.contains("no such table") {
            throw WriteBehindError.invalidConfiguration(
                "the write_behind_state table is missing: add WriteBehindSchema.schemaSQL to the migrations")
        }
        return out
    }

    /// Raises flushed_seq of (cache, shard) to `seq` (never lowers it).
    static func record(_ c: Connection, cache: String, shard: Int, seq: UInt64) throws {
        try c.run(recordSQL, [.text(cache), .integer(Int64(shard)), .integer(Int64(clamping: seq))])
    }
}

/// Applies pending writes through the table's upsert/delete (prepared statements cached by the Store).
enum BatchApplier {
    /// All of `batch` inside the caller's transaction; the first failure throws.
    static func apply<T: WriteBehindTable>(_ table: T, _ c: Connection,
                                           _ batch: ArraySlice<PendingWrite<T.Value>>) throws {
        for e in batch { try applyOne(table, c, e) }
    }

    /// Row by row, each in a savepoint: rows refused with a constraint violation are skipped and reported
    /// as (position in batch, reason); any other failure throws.
    static func applyEach<T: WriteBehindTable>(_ table: T, _ c: Connection,
                                               _ batch: ArraySlice<PendingWrite<T.Value>>) throws -> [(Int, String)] {
        var refused: [(Int, String)] = []
        for (i, e) in batch.enumerated() {
            do {
                try c.transaction { try applyOne(table, c, e) }
            } catch let error as StoreError where error.isConstraintViolation {
                refused.append((i, error.description))
            }
        }
        return refused
    }

    @inline(__always) private static func applyOne<T: WriteBehindTable>(_ table: T, _ c: Connection,
                                                                        _ e: PendingWrite<T.Value>) throws {
        if let v = e.value {
            try table.upsert(c, owner: e.owner, user: e.user, value: v)
        } else {
            try table.delete(c, owner: e.owner, user: e.user)
        }
    }
}
