import Platform

/// What shutting one cache down achieved.
public struct CacheShutdownReport: Sendable, Equatable, CustomStringConvertible {
    /// The table's name.
    public var name: String
    /// Acknowledged entries not in the database (0 after a complete final flush).
    public var unflushedEntries: Int
    /// Of those, the entries in a snapshot file: the next start replays them. Nothing is lost for them.
    public var snapshottedEntries: Int
    /// Of those, the entries neither flushed nor in a snapshot: lost when the process exits.
    public var lostEntries: Int { unflushedEntries - snapshottedEntries }
    /// Why the final flush did not complete, nil when it did.
    public var flushError: String?
    /// Why the final snapshot failed, nil when it succeeded (or was not needed).
    public var snapshotError: String?
    /// Wall time in seconds.
    public var duration: Double

    /// Every acknowledged entry is in the database.
    public var isFlushed: Bool { unflushedEntries == 0 }

    /// One line for the log.
    public var description: String {
        if isFlushed { return "write-behind \(name): flushed everything in \(CFormat.fixed(duration, digits: 2)) s" }
        var line = "write-behind \(name): \(unflushedEntries) acknowledged entries are not in the database"
            + " (flush: \(flushError ?? "not finished")); \(snapshottedEntries) of them are in snapshots for the next start"
        if lostEntries > 0 {
            line += ", \(lostEntries) are LOST (snapshot: \(snapshotError ?? "not written"))"
        }
        return line
    }
}

/// What `WriteBehindShutdown.run` achieved, per cache.
public struct ShutdownReport: Sendable, Equatable, CustomStringConvertible {
    /// One report per cache, in the order given.
    public var caches: [CacheShutdownReport]
    /// Wall time in seconds.
    public var duration: Double

    /// Every acknowledged entry of every cache is in the database.
    public var isFlushed: Bool { caches.allSatisfy(\.isFlushed) }
    /// Acknowledged entries neither flushed nor snapshotted, over all caches: when above 0, the process
    /// should exit with a failure status.
    public var lostEntries: Int { caches.reduce(0) { $0 + $1.lostEntries } }

    /// One line per cache.
    public var description: String { caches.map(\.description).joined(separator: "\n") }
}
