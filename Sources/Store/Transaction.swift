import CSQLite

extension Connection {
    /// BEGIN IMMEDIATE … COMMIT around `body`; ROLLBACK when `body` throws (then rethrows).
    /// Nested calls use SAVEPOINTs, so an inner failure can be caught without losing the outer work.
    ///
    /// BEGIN IMMEDIATE takes the write lock up front; while another connection or process holds it,
    /// SQLite's busy handler retries for the busy timeout, after which a StoreError (isBusy) is thrown.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try savepoint(body) }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        let result: T
        do {
            result = try body()
        } catch {
            rollbackQuietly()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            // A failed COMMIT can leave the transaction open (e.g. SQLITE_BUSY in rollback-journal mode).
            rollbackQuietly()
            throw error
        }
        return result
    }

    /// One nesting level: SAVEPOINT … RELEASE, or ROLLBACK TO + RELEASE when `body` throws.
    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        let name = "tsuna_sp\(transactionDepth)"
        try execute("SAVEPOINT \(name)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let result: T
        do {
            result = try body()
        } catch {
            // If SQLite already rolled back the whole transaction (e.g. SQLITE_FULL), there is no
            // savepoint left to roll back to: ignore that, the outer level sees the same state.
            if isInTransaction { try? execute("ROLLBACK TO \(name); RELEASE \(name)") }
            throw error
        }
        try execute("RELEASE \(name)")
        return result
    }

    /// ROLLBACK if a transaction is still open; errors are ignored (the original error matters).
    func rollbackQuietly() {
        if isInTransaction { try? execute("ROLLBACK") }
    }
}
