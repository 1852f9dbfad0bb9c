import Platform

/// A lock-protected stack of read-only connections, opened on demand up to `max`. A connection is used by
/// the one thread that checked it out until it is checked in.
final class ReaderPool: Sendable {
    /// A checked-out connection; `pooled` ones go back to the stack, temporary ones are closed.
    struct Lease {
        let connection: Connection
        let pooled: Bool
    }

    private struct State {
        var idle: [Connection] = []
        /// Pooled connections in existence (idle + checked out).
        var open = 0
        var closed = false
    }

    private let path: String
    private let max: Int
    private let busyTimeout: Int32
    private let state = Locked(State())

    init(path: String, max: Int, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.max = Swift.max(1, max)
        self.busyTimeout = busyTimeoutMilliseconds
    }

    /// An idle connection, a new pooled one while under `max`, else a temporary one (never waits).
    func checkout() throws -> Lease {
        enum Pick { case idle(Connection), openPooled, openTemporary, closed }
        let max = self.max
        let pick: Pick = state.withLock { s in
            if s.closed { return .closed }
            if let c = s.idle.popLast() { return .idle(c) }
            if s.open < max { s.open += 1; return .openPooled }
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
                state.withLock { $0.open -= 1 }
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
        let keep: Bool = state.withLock { s in
            if s.closed || c.db == nil { s.open -= 1; return false }
            s.idle.append(c)
            return true
        }
        if !keep { c.close() }
    }

    /// Closes the idle connections; checked-out ones are closed when they come back. Idempotent.
    func close() {
        let idle: [Connection] = state.withLock { s in
            s.closed = true
            let idle = s.idle
            s.open -= idle.count
            s.idle.removeAll()
            return idle
        }
        for c in idle { c.close() }
    }

    /// Pooled connections currently open (idle or checked out).
    var openCount: Int { state.withLock { $0.open } }

    private func connect() throws -> Connection {
        try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeout)
    }
}
