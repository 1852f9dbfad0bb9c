import Platform
import Store
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Background delivery of the outbox on a thread of its own (never an event loop: a request never waits
/// on SMTP). It runs a pass at start, every `pollInterval` seconds and whenever `wake()` is called; a
/// pass sends the due messages in id order. A failure is retried with exponential backoff
/// (5 s × 2^(attempts−1), at most 1 h) until `maxAttempts`, then the message is marked failed. Every
/// failure and give-up is logged. Delivery is at least once: a message is marked sent right after the
/// transport accepts it, and never picked again once marked.
///
/// `@unchecked Sendable`: `condition` guards `thread`, `woken`, `stopping` and `finished` (a condition
/// variable, which Mutex does not offer); the rest is immutable.
public final class MailSender: @unchecked Sendable {
    private let store: Store
    private let transport: MailTransport
    private let from: String
    private let pollInterval: Double
    private let maxAttempts: Int
    private let log: @Sendable (String) -> Void

    /// Guards the thread state below.
    private let condition = Condition()
    private var thread: pthread_t?
    private var woken = false
    private var stopping = false
    private var finished = false
    /// Passes run so far; its lock serialises them (the thread's and direct `runOnce` calls), so no message
    /// is sent twice at once.
    private let passes = Locked(0)

    /// Since start: messages delivered, attempts that failed, messages given up on (for /metrics).
    private let sent = Atomic<Int>(0)
    private let failedAttempts = Atomic<Int>(0)
    private let givenUp = Atomic<Int>(0)

    public struct Counts: Sendable, Equatable {
        public var sent: Int
        public var failedAttempts: Int
        public var givenUp: Int
    }

    public var counts: Counts {
        Counts(sent: sent.load(ordering: .relaxed), failedAttempts: failedAttempts.load(ordering: .relaxed),
               givenUp: givenUp.load(ordering: .relaxed))
    }

    /// Messages read per query within a pass.
    static let batchSize = 64
    /// First retry delay and the cap, microseconds.
    static let baseRetryDelay: Int64 = 5_000_000
    static let maxRetryDelay: Int64 = 3_600_000_000

    /// Creates a stopped sender; `start()` begins delivery.
    public init(store: Store, transport: MailTransport, from: String, pollInterval: Double = 1,
                maxAttempts: Int = 8, log: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.transport = transport
        self.from = from
        // A nonsensical interval would spin or overflow the deadline: keep it within 10 ms … 1 day.
        self.pollInterval = pollInterval.isFinite ? min(max(pollInterval, 0.01), 86_400) : 1
        self.maxAttempts = max(1, maxAttempts)
        self.log = log
    }

    /// The delay before retry number `attempts` + 1, after `attempts` failures (≥ 1), in microseconds.
    public static func retryDelay(afterAttempts attempts: Int) -> Int64 {
        let doublings = attempts <= 1 ? 0 : min(attempts - 1, 20)   // 5 s × 2^20 is far past the cap already
        return min(baseRetryDelay << Int64(doublings), maxRetryDelay)
    }

    /// Starts the delivery thread (a first pass runs at once). Does nothing if started or stopped before.
    /// The thread keeps the sender alive until `stop()`.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil, !stopping else { return }
        woken = true
        thread = OSThread.start(name: "tsuna-mail-sender") { [self] in self.loop() }
    }

    /// Asks for a pass now (call it after committing a transaction that enqueued mail).
    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread after the message in progress, and waits for it. Idempotent; later passes send nothing.
    public func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        guard let thread, !OSThread.isCurrent(thread) else { return }
        while !finished { condition.wait() }
    }

    /// Sends what is due now; returns how many messages were delivered. Throws only store errors
    /// (delivery failures are recorded on the message and logged).
    public func runOnce() throws -> Int {
        try pass(clock: MailSender.currentMicroseconds)
    }

    /// The same at a given time (µs since the epoch), which also stamps the attempts and deliveries: for
    /// tests of the retry schedule.
    public func runOnce(now: Int64) throws -> Int {
        try pass(clock: { now })
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    private func loop() {
        var failedPasses = 0
        while true {
            condition.lock()
            // After store errors, wait longer between passes (up to a minute) so the log is not flooded.
            let wait = failedPasses == 0 ? pollInterval : min(pollInterval * Double(1 << min(failedPasses, 6)), 60)
            let deadline = Condition.Deadline(secondsFromNow: wait)
            while !stopping && !woken {
                if !condition.wait(until: deadline) { break }
            }
            let stop = stopping
            woken = false
            condition.unlock()
            if stop { break }
            do {
                _ = try runOnce()
                failedPasses = 0
            } catch {
                failedPasses += 1
                log("mail sender: pass failed: \(error)")
            }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func pass(clock: () -> Int64) throws -> Int {
        try passes.withLock { count in
            count += 1
            return try unlockedPass(clock: clock)
        }
    }

    private func unlockedPass(clock: () -> Int64) throws -> Int {
        var sent = 0
        var afterID: Int64 = 0
        while true {
            let now = clock()
            let batch = try store.read { try Outbox.due($0, now: now, afterID: afterID, limit: MailSender.batchSize) }
            for item in batch {
                if isStopping { return sent }
                afterID = item.message.id
                if try deliver(item, clock: clock) { sent += 1 }
            }
            if batch.count < MailSender.batchSize { return sent }
        }
    }

    /// One attempt: true when delivered and recorded.
    private func deliver(_ item: Outbox.Due, clock: () -> Int64) throws -> Bool {
        let id = item.message.id
        do {
            try transport.send(item.message, from: from)
        } catch {
            let attempts = item.attempts &+ 1
            let givenUp = attempts >= maxAttempts
            let delay = MailSender.retryDelay(afterAttempts: attempts)
            let now = clock()
            let next = now > Int64.max - delay ? Int64.max : now + delay
            try store.writeSync {
                try Outbox.markFailure($0, id: id, attempts: attempts, nextAttemptAt: next,
                                       error: String(describing: error), givenUp: givenUp)
            }
            failedAttempts.wrappingAdd(1, ordering: .relaxed)
            if givenUp {
                self.givenUp.wrappingAdd(1, ordering: .relaxed)
                log("mail \(id): giving up after \(attempts) attempts: \(error)")
            } else {
                log("mail \(id): attempt \(attempts) of \(maxAttempts) failed, retrying in \(delay / 1_000_000) s: \(error)")
            }
            return false
        }
        let now = clock()
        sent.wrappingAdd(1, ordering: .relaxed)
        return try store.writeSync { try Outbox.markSent($0, id: id, at: now) }
    }

    /// Wall-clock microseconds since the Unix epoch.
    static func currentMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }
}
