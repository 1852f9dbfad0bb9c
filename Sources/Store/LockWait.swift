import CSQLite
import Synchronization

/// Waits for another connection's write lock the way sqlite3_busy_timeout does (short sleeps growing to
/// 100 ms, up to the timeout), but can be told to stop waiting: a shutdown under a deadline must not sit
/// out a busy timeout per queued write while another process holds the database.
///
/// Installed on the store's writer connection, which keeps it alive for as long as the handler is set.
final class LockWait: Sendable {
    /// sqlite3_busy_timeout's schedule (sqliteDefaultBusyCallback): the n-th sleep, and the time slept before it.
    private static let delays: [Int32] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100]
    private static let totals: [Int32] = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228]

    let timeoutMilliseconds: Int32
    private let abandoned = Atomic(false)

    init(timeoutMilliseconds: Int32) {
        self.timeoutMilliseconds = max(0, timeoutMilliseconds)
    }

    /// From now on a write finding the database locked fails at once (SQLITE_BUSY); one waiting now
    /// gives up within 100 ms.
    func abandon() { abandoned.store(true, ordering: .relaxed) }

    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }

    /// Sets this as `db`'s busy handler (replacing any busy timeout).
    func install(on db: OpaquePointer) {
        sqlite3_busy_handler(db, { context, attempts in
            guard let context else { return 0 }
            return Unmanaged<LockWait>.fromOpaque(context).takeUnretainedValue().waitOnce(after: attempts) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Sleeps before retry number `attempts` + 1; false when the caller should give up instead.
    private func waitOnce(after attempts: Int32) -> Bool {
        if isAbandoned { return false }
        let n = Int(max(0, attempts))
        var delay = n < LockWait.delays.count ? LockWait.delays[n] : 100
        let slept = n < LockWait.totals.count ? LockWait.totals[n] : 228 + 100 * Int32(clamping: n - 11)
        if slept + delay > timeoutMilliseconds {
            delay = timeoutMilliseconds - slept
            if delay <= 0 { return false }
        }
        sqlite3_sleep(delay)
        return !isAbandoned
    }
}
