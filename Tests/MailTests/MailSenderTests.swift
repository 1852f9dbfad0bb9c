import Platform
import Foundation
import Mail
import Store
import XCTest

final class MailSenderTests: XCTestCase {
    var dir: TempDirectory!
    var store: Store!
    let log = LogLines()

    override func setUpWithError() throws {
        dir = try TempDirectory()
        store = try makeOutboxStore(in: dir)
    }

    override func tearDown() {
        store?.close()
        dir?.remove()
    }

    func enqueue(_ to: String, now: Int64 = 0) throws {
        try store.writeSync { try Outbox.enqueue($0, to: to, subject: "Subject", body: "Body", now: now) }
    }

    func testRetryDelayDoublesFromFiveSecondsUpToAnHour() {
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 1), 5_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 2), 10_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 3), 20_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 10), 2_560_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 11), 3_600_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: Int.max), 3_600_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: 0), 5_000_000)
        XCTAssertEqual(MailSender.retryDelay(afterAttempts: Int.min), 5_000_000)
    }

    func testClosedPortFailsThenBacksOffThenGivesUp() throws {
        try enqueue("a@b.test")
        let transport = SMTPTransport(url: "smtp://127.0.0.1:\(closedPort())", user: nil, password: nil)
        let sender = MailSender(store: store, transport: transport, from: "contact@tsuna.test",
                                maxAttempts: 3, log: log.sink)
        let t0: Int64 = 1_700_000_000_000_000

        XCTAssertEqual(try sender.runOnce(now: t0), 0)
        var row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertEqual(row.attempts, 1)
        XCTAssertEqual(row.nextAttemptAt, t0 + 5_000_000)
        XCTAssertNil(row.sentAt)
        XCTAssertFalse(row.failed)
        XCTAssertTrue(row.lastError?.contains("SMTP delivery failed") == true, row.lastError ?? "nil")
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 1)

        // Not due yet: no attempt at all.
        XCTAssertEqual(try sender.runOnce(now: t0 + 4_999_999), 0)
        XCTAssertEqual(try outboxRows(store).first?.attempts, 1)

        XCTAssertEqual(try sender.runOnce(now: t0 + 5_000_000), 0)
        row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertEqual(row.attempts, 2)
        XCTAssertEqual(row.nextAttemptAt, t0 + 5_000_000 + 10_000_000)
        XCTAssertFalse(row.failed)

        XCTAssertEqual(try sender.runOnce(now: t0 + 15_000_000), 0)
        row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertEqual(row.attempts, 3)
        XCTAssertTrue(row.failed)
        XCTAssertNil(row.sentAt)
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 0)

        // Given up: never tried again.
        XCTAssertEqual(try sender.runOnce(now: Int64.max), 0)
        XCTAssertEqual(try outboxRows(store).first?.attempts, 3)

        let lines = log.all
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[0].contains("attempt 1 of 3 failed, retrying in 5 s"), lines[0])
        XCTAssertTrue(lines[1].contains("attempt 2 of 3 failed, retrying in 10 s"), lines[1])
        XCTAssertTrue(lines[2].contains("giving up after 3 attempts"), lines[2])
    }

    func testBadSMTPURLIsAFailedAttemptNotACrash() throws {
        try enqueue("a@b.test")
        let sender = MailSender(store: store, transport: SMTPTransport(url: "http://127.0.0.1:1", user: nil, password: nil),
                                from: "contact@tsuna.test", maxAttempts: 1, log: log.sink)
        XCTAssertEqual(try sender.runOnce(), 0)
        let row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertTrue(row.failed)
        XCTAssertTrue(row.lastError?.contains("smtp://") == true, row.lastError ?? "nil")
    }

    func testOneFailingMessageDoesNotBlockTheOthersAndOrderIsByID() throws {
        for r in ["a@b.test", "fail@b.test", "c@b.test"] { try enqueue(r) }
        let transport = RecordingTransport(failFor: "fail@b.test")
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", log: log.sink)
        XCTAssertEqual(try sender.runOnce(now: 10), 2)
        XCTAssertEqual(transport.attempts, ["a@b.test", "fail@b.test", "c@b.test"])
        XCTAssertEqual(try outboxRows(store).map(\.attempts), [0, 1, 0])
        XCTAssertEqual(try outboxRows(store).map { $0.sentAt != nil }, [true, false, true])
    }

    func testManyMessagesAcrossBatchesAreEachSentOnce() throws {
        try store.writeSync { c in
            for i in 0..<150 { try Outbox.enqueue(c, to: "u\(i)@b.test", subject: "s", body: "b", now: 0) }
        }
        let transport = RecordingTransport(failFor: nil)
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", log: log.sink)
        XCTAssertEqual(try sender.runOnce(), 150)
        XCTAssertEqual(transport.attempts, (0..<150).map { "u\($0)@b.test" })
        XCTAssertEqual(try sender.runOnce(), 0)
        XCTAssertEqual(transport.attempts.count, 150)
    }

    func testConcurrentPassesNeverSendTwice() throws {
        try store.writeSync { c in
            for i in 0..<40 { try Outbox.enqueue(c, to: "u\(i)@b.test", subject: "s", body: "b", now: 0) }
        }
        let transport = RecordingTransport(failFor: nil)
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", log: log.sink)
        let total = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            total.add((try? sender.runOnce()) ?? 0)
        }
        XCTAssertEqual(total.value, 40)
        XCTAssertEqual(transport.attempts.sorted(), (0..<40).map { "u\($0)@b.test" }.sorted())
    }

    func testBackgroundThreadDeliversOnStartAndOnWake() throws {
        try enqueue("early@b.test")
        let transport = RecordingTransport(failFor: nil)
        // A long poll interval: only start() and wake() can explain prompt deliveries.
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", pollInterval: 3600, log: log.sink)
        sender.start()
        defer { sender.stop() }
        XCTAssertTrue(waitUntil { transport.attempts == ["early@b.test"] }, "\(transport.attempts)")

        try enqueue("later@b.test")
        sender.wake()
        XCTAssertTrue(waitUntil { transport.attempts == ["early@b.test", "later@b.test"] }, "\(transport.attempts)")
        // The row is marked sent right after the transport returns: wait (bounded) for that too.
        XCTAssertTrue(waitUntil { ((try? self.store.read { try Outbox.pendingCount($0) }) ?? -1) == 0 })
    }

    func testStopIsIdempotentAndAStoppedSenderSendsNothing() throws {
        let transport = RecordingTransport(failFor: nil)
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", log: log.sink)
        sender.start()
        sender.stop()
        sender.stop()
        sender.start()   // no restart after stop
        try enqueue("a@b.test")
        sender.wake()
        XCTAssertEqual(try sender.runOnce(), 0)
        XCTAssertEqual(transport.attempts, [])
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 1)
    }

    func testStopDuringASendFinishesThatMessageAndNoMore() throws {
        for r in ["a@b.test", "b@b.test", "c@b.test"] { try enqueue(r) }
        let transport = StoppingTransport()
        let sender = MailSender(store: store, transport: transport, from: "f@g.test", pollInterval: 3600, log: log.sink)
        transport.sender = sender   // requests stop from inside the first send
        sender.start()
        XCTAssertTrue(waitUntil { transport.sent.count == 1 })
        sender.stop()                // joins the thread
        XCTAssertEqual(transport.sent, ["a@b.test"])
        XCTAssertEqual(try outboxRows(store).map { $0.sentAt != nil }, [true, false, false])
    }

    func testStoreErrorsAreThrownNotSwallowed() throws {
        let sender = MailSender(store: store, transport: RecordingTransport(failFor: nil), from: "f@g.test", log: log.sink)
        store.close()
        XCTAssertThrowsError(try sender.runOnce())
    }

    /// Polls `condition` until it holds (true) or 10 s pass (false). A bound against hanging, not a timing check.
    func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if condition() { return true }
            usleep(2000)
        }
        return condition()
    }
}

/// Records every recipient it is asked to deliver to; fails for one chosen recipient.
final class RecordingTransport: MailTransport {
    private let recorded = Locked<[String]>([])
    let failFor: String?
    init(failFor: String?) { self.failFor = failFor }
    var attempts: [String] { recorded.withLock { $0 } }
    func send(_ message: MailMessage, from: String) throws {
        recorded.withLock { $0.append(message.to) }
        if message.to == failFor { throw MailError("refused by test") }
    }
}

/// Asks its sender to stop while the first message is in progress, then completes that message.
final class StoppingTransport: MailTransport {
    private struct State {
        var done: [String] = []
        weak var sender: MailSender?
    }
    private let state = Locked(State())
    var sender: MailSender? {
        get { state.withLock { $0.sender } }
        set { state.withLock { $0.sender = newValue } }
    }
    var sent: [String] { state.withLock { $0.done } }
    func send(_ message: MailMessage, from: String) throws {
        sender?.stop()   // from the sender's own thread: only requests the stop
        state.withLock { $0.done.append(message.to) }
    }
}

final class LockedCounter: Sendable {
    private let n = Locked(0)
    func add(_ k: Int) { n.withLock { $0 += k } }
    var value: Int { n.withLock { $0 } }
}
