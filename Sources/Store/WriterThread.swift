import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The single writer: a dedicated thread that owns the read-write connection and drains a job queue.
///
/// Group commit: jobs queued together run in one BEGIN IMMEDIATE … COMMIT, each inside its own
/// SAVEPOINT, so a failing job rolls back alone and gets its own error; if the COMMIT fails, every job
/// of the batch that had succeeded gets that error.
///
/// `@unchecked Sendable`: `condition` guards `queue`, `stopping` and `finished`; `connection` is confined
/// to the writer thread; `thread` is set before the thread starts and never changed.
final class WriterThread: @unchecked Sendable {
    /// Most jobs per transaction: bounds the time one COMMIT keeps callers waiting.
    static let maxBatch = 256

    private let connection: Connection
    private let condition = Condition()
    private var queue: [AnyWriteJob] = []
    private var stopping = false
    private var finished = false
    /// Set once in init, right after the thread starts; never changed after. The writer thread reads it
    /// only while running a job, which was queued (under `condition`) after init returned.
    private var thread = pthread_t()

    /// Takes ownership of `connection` and starts the thread.
    init(connection: Connection, name: String) {
        self.connection = connection
        // Weak: the thread keeps its block alive; `main` holds self strongly while it runs.
        thread = OSThread.start(name: name) { [weak self] in self?.main() }
    }

    /// True when called from the writer thread itself (a write body calling back into the store).
    var isCurrentThread: Bool { OSThread.isCurrent(thread) }

    /// The writer connection; only for use on the writer thread.
    var connectionOnWriterThread: Connection { connection }

    /// Queues a job; false when the writer is shutting down (the job will not run).
    func enqueue(_ job: AnyWriteJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopping { return false }
        queue.append(job)
        if queue.count == 1 { condition.signal() }
        return true
    }

    /// Jobs waiting to be picked up (for tests and diagnostics).
    var queuedJobCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Stops accepting jobs, lets the queued ones finish, closes the connection and waits for all that.
    /// From the writer thread itself it only requests the stop (waiting there would deadlock).
    func shutdown() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()   // other close() callers may be waiting on the same condition
        if isCurrentThread { return }
        while !finished { condition.wait() }
    }

    private func main() {
        var batch: [AnyWriteJob] = []
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {   // stopping, and nothing left to do
                condition.unlock()
                break
            }
            if queue.count <= WriterThread.maxBatch {
                swap(&batch, &queue)
            } else {
                batch.append(contentsOf: queue.prefix(WriterThread.maxBatch))
                queue.removeFirst(WriterThread.maxBatch)
            }
            condition.unlock()
            run(batch)
            batch.removeAll(keepingCapacity: true)
        }
        connection.close()
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// A job failed in a way that ended the whole transaction (SQLite rolled it back, or the job's SQL
    /// ended it): the batch's earlier work is gone.
    private struct TransactionLost: Error { let cause: Error }

    private func run(_ batch: [AnyWriteJob]) {
        if batch.count == 1 {
            let job = batch[0]
            do {
                try connection.transaction { try job.perform(connection) }
                job.finish(nil)
            } catch {
                job.finish(error)
            }
            return
        }
        var pending = batch[...]
        while !pending.isEmpty {
            var succeeded: [AnyWriteJob] = []
            do {
                try connection.transaction {
                    while let job = pending.popFirst() {
                        do {
                            try connection.transaction { try job.perform(connection) }   // a SAVEPOINT
                            succeeded.append(job)
                        } catch {
                            job.finish(error)
                            if !connection.isInTransaction { throw TransactionLost(cause: error) }
                        }
                    }
                }
                for job in succeeded { job.finish(nil) }
            } catch let lost as TransactionLost {
                for job in succeeded { job.finish(lost.cause) }
                // The jobs not yet run get a fresh transaction on the next pass.
            } catch {
                // BEGIN or COMMIT failed: nothing of this batch is committed.
                for job in succeeded { job.finish(error) }
                for job in pending { job.finish(error) }
                pending = []
            }
        }
    }
}
