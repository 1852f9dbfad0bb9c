import FoundationEssentials
import Platform

/// A cache's mutable bookkeeping, behind its mutex.
struct CacheState: Sendable {
    var log: @Sendable (String) -> Void = CacheState.standardErrorLog
    var timers: [Task<Void, Never>] = []
    var shutDown = false
    var lastFlushRows = 0
    var lastFlushRejected = 0
    var lastFlushDuration = 0.0
    var flushFailures = 0
    var lastFlushError: String?
    var lastFlushAt: Date?
    var lastSnapshotDuration = 0.0
    var lastSnapshotBytes = 0
    var lastSnapshotEntries = 0
    var lastSnapshotAt: Date?
    var lastSnapshotError: String?
    var snapshotFailures = 0
    /// Why writes are refused; nil while they are accepted. Changed together with `WriteBehindCache.accepting`.
    var refusal: String?

    /// The default log: one line on stderr.
    static let standardErrorLog: @Sendable (String) -> Void = { message in
        StandardStream.error(message + "\n")
    }
}
