import FoundationEssentials
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Why a write-behind operation failed.
public enum WriteBehindError: Error, CustomStringConvertible, Equatable {
    /// A snapshot file failed validation; nothing of it was loaded.
    case corruptSnapshot(file: String, reason: String)
    /// A file system call failed.
    case io(file: String, operation: String, errno: Int32)
    /// The cache was shut down: it accepts no more writes.
    case closed(cache: String)
    /// A shard reached its entry limit (flushing is failing for too long).
    case full(cache: String)
    /// Bad construction arguments or a missing schema.
    case invalidConfiguration(String)
    /// The last snapshot failed, so a write could not be kept: it was refused, not acknowledged. Reads
    /// work; writes are accepted again by themselves once a snapshot succeeds.
    case storageUnavailable(cache: String, reason: String)
    /// A flush stopped between batches because the shutdown deadline came (what it had not applied
    /// stays pending).
    case shutdownDeadline(cache: String)
    /// `shutdown()` could not flush everything; the report says what is kept in snapshots and what is lost.
    case notFlushedAtShutdown(CacheShutdownReport)

    /// True when the cause is the storage (full, read-only, failing), not the program or the data: an
    /// API answers 503 and the client may retry later.
    public var isStorageUnavailable: Bool {
        switch self {
        case .storageUnavailable: return true
        case let .io(_, _, code): return [ENOSPC, EDQUOT, EROFS, EIO].contains(code)
        default: return false
        }
    }

    /// A sentence for the operator.
    public var description: String {
        switch self {
        case let .corruptSnapshot(file, reason):
            return "write-behind snapshot \(file) is rejected: \(reason). Nothing was loaded from it; "
                + "move it away to start without it (its writes are then lost)"
        case let .io(file, operation, code):
            return "write-behind \(operation) \(file) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .closed(cache):
            return "write-behind cache \(cache) is shut down"
        case let .full(cache):
            return "write-behind cache \(cache) has a full shard; flushes must succeed before more writes"
        case let .invalidConfiguration(reason):
            return "write-behind configuration: \(reason)"
        case let .storageUnavailable(cache, reason):
            return "write-behind cache \(cache) cannot keep writes now: \(reason)"
        case let .shutdownDeadline(cache):
            return "write-behind cache \(cache): the shutdown deadline came before the flush finished"
        case let .notFlushedAtShutdown(report):
            return report.description
        }
    }
}

/// Whether `error` says the disk (or quota) is full: the case a reserve of free space can help.
func isOutOfSpace(_ error: Error) -> Bool {
    switch error {
    case let e as WriteBehindError:
        if case let .io(_, _, code) = e { return code == ENOSPC || code == EDQUOT }
        return false
    case let e as StoreError:
        return e.isDiskFull
    default:
        return false
    }
}
