import Foundation

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
        }
    }
}
