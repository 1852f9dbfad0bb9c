import Store

/// A value held by a write-behind cache for one (owner, user) key, e.g. a vote's choice and date.
public protocol WriteBehindValue: Sendable, Equatable {
    /// Per-value count bucket in 0..<categoryCount (votes: 0 up, 1 down; others 0).
    /// A value outside that range is counted in bucket 0 (a programming error must not crash).
    var category: Int { get }
    /// Ordering key for pages (e.g. date in microseconds); ties broken by user id.
    var sortKey: Int64 { get }
    /// Appends the value's bytes for a snapshot (at most 65 535 bytes).
    func encode(into bytes: inout [UInt8])
    /// Reads a value written by `encode`; nil when the bytes do not form one.
    static func decode(_ reader: inout SnapshotReader) -> Self?
}

/// How a feature's table is read and written; the cache knows nothing else about the domain.
///
/// Every write to the table must go through the cache (or be followed by `forgetOwner`/`forgetUser`),
/// or the cached counts drift. Give the table foreign keys to its owner and user: a flush that races
/// with the deletion of either then fails those rows (they are dropped) instead of re-inserting them.
public protocol WriteBehindTable: Sendable {
    associatedtype Value: WriteBehindValue
    /// Short name ("subscriptions"): snapshot file prefix and metrics label; letters, digits, '_' and '-'.
    var name: String { get }
    /// Number of count buckets (votes: 2, others: 1).
    var categoryCount: Int { get }
    /// The stored value of (owner, user), or nil.
    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Value?
    /// Stored rows of `owner` per category (an array of `categoryCount` numbers).
    func counts(_ c: Connection, owner: Int64) throws -> [Int]
    /// Stored rows of `owner` in (sortKey, user) order.
    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)]
    /// Inserts or replaces the row (INSERT OR REPLACE).
    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Value) throws
    /// Deletes the row if present.
    func delete(_ c: Connection, owner: Int64, user: Int64) throws
}
