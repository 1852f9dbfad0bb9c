import Platform
import CSQLite
import Dispatch
import FoundationEssentials

/// The store: one serialized writer (a dedicated thread) + a pool of read-only reader connections.
public final class Store: Sendable {
    /// The database file.
    public let path: String
    let writer: WriterThread
    private let readers: ReaderPool
    /// How the writer waits for another process's lock (see `stopWaitingForLocks`).
    private let writerLockWait: LockWait

    /// Opens/creates the file, sets WAL, runs the migrations (throws MigrationError.databaseNewer untouched).
    public init(path: String, migrations: [Migration], maxReaders: Int = 8,
                busyTimeoutMilliseconds: Int32 = 5000) throws {
        self.path = path
        try Migrator.validate(migrations)
        // Look before touching: opening the writer would switch the file to WAL, which a newer
        // binary's database must not undergo.
        if let version = try VersionProbe.userVersion(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds),
           version > migrations.count {
            throw MigrationError.databaseNewer(database: version, binary: migrations.count)
        }
        let connection = try Connection(path: path, readOnly: false, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        writerLockWait = LockWait(timeoutMilliseconds: busyTimeoutMilliseconds)
        try connection.install(writerLockWait)
        try Migrator.migrate(connection, migrations)
        readers = ReaderPool(path: path, max: maxReaders, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        writer = WriterThread(connection: connection, name: "tsuna-store-writer")
    }

    deinit { close() }

    /// Synchronous read on a pooled reader connection (checked out, used, returned). Safe from any thread.
    /// If every reader is busy and the pool is at max, opens a temporary extra one rather than waiting.
    /// Sees every committed write, but not the uncommitted work of a write in progress.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        let lease = try readers.checkout()
        defer { readers.checkin(lease) }
        return try body(lease.connection)
    }

    /// Runs `body` inside a transaction on the writer thread; resumes the caller when committed.
    /// The write happens even if the calling task is cancelled meanwhile.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { (cont: UnsafeContinuation<T, Error>) in
            let job = WriteJob<T>(body: body) { cont.resume(with: $0) }
            if !writer.enqueue(job) {
                job.discard()
                cont.resume(throwing: StoreError.closed)
            }
        }
    }

    /// The same, blocking the calling thread (for CLI commands, background jobs and tests; never call it
    /// from an event loop). Inside a write body it joins that transaction (as a savepoint).
    @discardableResult
    public func writeSync<T>(_ body: (Connection) throws -> T) throws -> T {
        if writer.isCurrentThread {
            let c = writer.connectionOnWriterThread
            return try c.transaction { try body(c) }
        }
        return try withoutActuallyEscaping(body) { body in
            let done = DispatchSemaphore(value: 0)
            // The writer thread fills the slot, then signals; the lock also lets ThreadSanitizer see the order.
            let slot = Locked<Result<T, Error>?>(nil)
            let job = WriteJob<T>(body: body) { result in
                slot.withLock { $0 = result }
                done.signal()
            }
            guard writer.enqueue(job) else {
                job.discard()
                throw StoreError.closed
            }
            done.wait()
            guard let result = slot.withLock({ $0 }) else { throw StoreError(code: -1, message: "write finished without a result") }
            return try result.get()
        }
    }

    /// Consistent online copy to `path` (sqlite3_backup_*), safe while writes continue.
    /// Written to a temporary file beside `path` and renamed, so `path` is never a partial copy.
    public func backup(to path: String) throws {
        try read { try $0.backup(to: path) }
    }

    /// From now on a write that finds the database locked by another connection or process fails at once
    /// (StoreError.isBusy) instead of waiting out the busy timeout, and one waiting now gives up within
    /// 100 ms. For a shutdown under a deadline (the write-behind caches call it when theirs is near);
    /// it cannot be undone. Reads are not affected.
    public func stopWaitingForLocks() {
        writerLockWait.abandon()
    }

    /// Pooled reader connections currently open (for diagnostics and tests).
    public var openReaderCount: Int { readers.openCount }

    /// Waits for queued writes, closes every connection. Idempotent.
    public func close() {
        readers.close()
        writer.shutdown()
    }
}
