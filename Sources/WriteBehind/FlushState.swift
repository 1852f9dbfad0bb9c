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
/// sequence number ≤ F are therefore already in the database (or superseded there) and are skipped;
/// later ones are replayed. A flush that fails halfway leaves some later writes in the database without
/// raising F: replaying the snapshot then returns those keys to their state at snapshot time, which is
/// what a crash may cost anyway (writes after the last snapshot), never a duplicate or a resurrection
/// of something deleted before the snapshot.
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
    /// The rows `refs` point at (value columns per image) inside the caller's transaction; the first
    /// failure throws.
    static func apply<T: WriteBehindTable>(_ table: T, _ c: Connection, _ refs: ArraySlice<FlushRef>,
                                           _ columns: [[T.Value?]]) throws {
        for r in refs { try applyOne(table, c, r.owner, r.user, columns[Int(r.image)][Int(r.slot)]) }
    }

    /// Row by row, each in a savepoint: rows refused with a constraint violation are skipped and reported
    /// as (position in `refs`, reason); any other failure throws.
    static func applyEach<T: WriteBehindTable>(_ table: T, _ c: Connection, _ refs: ArraySlice<FlushRef>,
                                               _ columns: [[T.Value?]]) throws -> [(Int, String)] {
        var refused: [(Int, String)] = []
        for (i, r) in refs.enumerated() {
            do {
                try c.transaction { try applyOne(table, c, r.owner, r.user, columns[Int(r.image)][Int(r.slot)]) }
            } catch let error as StoreError where error.isConstraintViolation {
                refused.append((i, error.description))
            }
        }
        return refused
    }

    /// Pending writes as a list (snapshots applied at start), inside the caller's transaction.
    static func apply<T: WriteBehindTable>(_ table: T, _ c: Connection,
                                           _ batch: ArraySlice<PendingWrite<T.Value>>) throws {
        for e in batch { try applyOne(table, c, e.owner, e.user, e.value) }
    }

    /// The same row by row, as `applyEach` above.
    static func applyEach<T: WriteBehindTable>(_ table: T, _ c: Connection,
                                               _ batch: ArraySlice<PendingWrite<T.Value>>) throws -> [(Int, String)] {
        var refused: [(Int, String)] = []
        for (i, e) in batch.enumerated() {
            do {
                try c.transaction { try applyOne(table, c, e.owner, e.user, e.value) }
            } catch let error as StoreError where error.isConstraintViolation {
                refused.append((i, error.description))
            }
        }
        return refused
    }

    @inline(__always) private static func applyOne<T: WriteBehindTable>(_ table: T, _ c: Connection, _ owner: Int64,
                                                                        _ user: Int64, _ value: T.Value?) throws {
        if let v = value {
            try table.upsert(c, owner: owner, user: user, value: v)
        } else {
            try table.delete(c, owner: owner, user: user)
        }
    }
}
