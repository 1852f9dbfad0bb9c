import Synchronization

/// A lock-protected stack of read-only connections, opened on demand up to `max`.
///
/// `@unchecked Sendable`: `lock` guards `idle`, `open` and `closed`; a connection is used by the one thread
/// that checked it out until it is checked in (region checking cannot follow that hand-over through
/// `Store.read`'s caller-supplied closure, hence a plain lock around plain fields).
final class ReaderPool: @unchecked Sendable {
    /// A checked-out connection; `pooled` ones go back to the stack, temporary ones are closed.
    struct Lease {
        let connection: Connection
        let pooled: Bool
    }

    private let path: String
    private let max: Int
    private let busyTimeout: Int32
    private let lock = Mutex(())
    private var idle: [Connection] = []
    /// Pooled connections in existence (idle + checked out).
    private var open = 0
    private var closed = false

    init(path: String, max: Int, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.max = Swift.max(1, max)
        self.busyTimeout = busyTimeoutMilliseconds
    }

    /// An idle connection, a new pooled one while under `max`, else a temporary one (never waits).
    func checkout() throws -> Lease {
        enum Pick { case idle(Connection), openPooled, openTemporary, closed }
        let pick: Pick = lock.withLock { _ in
            if closed { return .closed }
            if let c = idle.popLast() { return .idle(c) }
            if open < max { open += 1; return .openPooled }
            return .openTemporary
        }
        switch pick {
        case .idle(let c): return Lease(connection: c, pooled: true)
        case .closed: throw StoreError.closed
        case .openTemporary: return Lease(connection: try connect(), pooled: false)
        case .openPooled:
            do {
                return Lease(connection: try connect(), pooled: true)
            } catch {
                lock.withLock { _ in open -= 1 }
                throw error
            }
        }
    }

    /// Returns a connection after use. A transaction the caller left open is rolled back first, so a
    /// pooled reader never keeps an old snapshot.
    func checkin(_ lease: Lease) {
        let c = lease.connection
        c.rollbackQuietly()
        guard lease.pooled else { c.close(); return }
        let keep: Bool = lock.withLock { _ in
            if closed || c.db == nil { open -= 1; return false }
            idle.append(c)
            return true
        }
        if !keep { c.close() }
    }

    /// Closes the idle connections; checked-out ones are closed when they come back. Idempotent.
    func close() {
        let idle: [Connection] = lock.withLock { _ in
            closed = true
            let idle = self.idle
            open -= idle.count
            self.idle.removeAll()
            return idle
        }
        for c in idle { c.close() }
    }

    /// Pooled connections currently open (idle or checked out).
    var openCount: Int { lock.withLock { _ in open } }

    private func connect() throws -> Connection {
        try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeout)
    }
}
