import Platform
import Foundation
import Mail
import Store
import XCTest

/// Delivery to a real SMTP server process (aiosmtpd): the bytes go over a real socket through libcurl.
final class SMTPDeliveryTests: XCTestCase {
    // Two servers for the whole class (starting Python costs about a second): one open, one that
    // requires AUTH. Each test uses its own recipients and looks only at their messages.
    struct Servers: Sendable {
        var dir: TempDirectory?
        var open: Result<SMTPTestServer, Error>?
        var authenticated: Result<SMTPTestServer, Error>?
    }
    static let servers = Locked(Servers())

    var dir: TempDirectory!
    var store: Store!
    let log = LogLines()

    override class func setUp() {
        guard let base = try? TempDirectory() else { return }
        try? FileManager.default.createDirectory(atPath: base.file("open"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: base.file("auth"), withIntermediateDirectories: true)
        let group = DispatchGroup()
        let openBox = ServerBox(), authBox = ServerBox()
        DispatchQueue.global().async(group: group) {
            openBox.result = Result { try SMTPTestServer(directory: base.file("open")) }
        }
        DispatchQueue.global().async(group: group) {
            authBox.result = Result { try SMTPTestServer(directory: base.file("auth"), user: "mailer", password: "s3cret pass") }
        }
        group.wait()
        servers.withLock { $0 = Servers(dir: base, open: openBox.result, authenticated: authBox.result) }
    }

    override class func tearDown() {
        let s = servers.withLock { s in
            defer { s = Servers() }
            return s
        }
        (try? s.open?.get())?.stop()
        (try? s.authenticated?.get())?.stop()
        s.dir?.remove()
    }

    override func setUpWithError() throws {
        dir = try TempDirectory()
        store = try makeOutboxStore(in: dir)
    }

    override func tearDown() {
        store?.close()
        dir?.remove()
    }

    /// The class's server, or a test failure naming what is missing (python3, aiosmtpd).
    func server(requiringAuth: Bool) throws -> SMTPTestServer {
        let servers = SMTPDeliveryTests.servers.withLock { $0 }
        guard let result = requiringAuth ? servers.authenticated : servers.open else {
            XCTFail("the SMTP test server was not started (temp directory unavailable)")
            throw SMTPServerUnavailable("not started")
        }
        do {
            return try result.get()
        } catch {
            XCTFail("\(error)")
            throw error
        }
    }

    /// What `server` received for `recipient`, in arrival order.
    func received(_ server: SMTPTestServer, for recipient: String) -> [[String: Any]] {
        server.received().filter { ($0["rcpt_tos"] as? [String]) == [recipient] }
    }

    func enqueue(_ to: String, _ subject: String, _ body: String) throws {
        try store.writeSync { try Outbox.enqueue($0, to: to, subject: subject, body: body, now: 0) }
    }

    func testDeliversOverSMTPExactlyOnce() throws {
        let server = try server(requiringAuth: false)
        try enqueue("alice@example.com", "Verify Your Account on Tsuna Streaming",
                    "Hi alice,\n\n.\nA line with only a dot above (dot-stuffing).\nhttps://tsuna.test/verify/t/u/\n")
        try enqueue("bob@example.com", "Votre abonnement a commencé ✓", "Bonjour Bob, ça marche.\n")
        let sender = MailSender(store: store, transport: SMTPTransport(url: server.url, user: nil, password: nil),
                                from: "Tsuna <contact@tsuna.test>", log: log.sink)

        XCTAssertEqual(try sender.runOnce(), 2, log.all.joined(separator: "\n"))
        let toAlice = received(server, for: "alice@example.com")
        let toBob = received(server, for: "bob@example.com")
        XCTAssertEqual(toAlice.count, 1)
        XCTAssertEqual(toBob.count, 1)
        let first = try XCTUnwrap(toAlice.first)
        XCTAssertEqual(first["mail_from"] as? String, "contact@tsuna.test")
        XCTAssertEqual(first["rcpt_tos"] as? [String], ["alice@example.com"])
        let parsed = ParsedMessage(first["content"] as? String ?? "")
        XCTAssertEqual(parsed.header("to"), "alice@example.com")
        XCTAssertEqual(parsed.header("subject"), "Verify Your Account on Tsuna Streaming")
        XCTAssertEqual(parsed.decodedBody,
                       "Hi alice,\r\n\r\n.\r\nA line with only a dot above (dot-stuffing).\r\nhttps://tsuna.test/verify/t/u/\r\n")

        let second = ParsedMessage(toBob.first?["content"] as? String ?? "")
        XCTAssertEqual(decodeEncodedWords(second.header("subject") ?? ""), "Votre abonnement a commencé ✓")
        XCTAssertEqual(second.decodedBody, "Bonjour Bob, ça marche.\r\n")

        // Sent rows are marked and never picked again.
        XCTAssertTrue(try outboxRows(store).allSatisfy { $0.sentAt != nil && !$0.failed && $0.lastError == nil })
        XCTAssertEqual(try sender.runOnce(), 0)
        XCTAssertEqual(try sender.runOnce(now: Int64.max / 2), 0)
        XCTAssertEqual(received(server, for: "alice@example.com").count + received(server, for: "bob@example.com").count, 2)
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 0)
    }

    func testAuthenticatedDelivery() throws {
        let server = try server(requiringAuth: true)
        try enqueue("carol@example.com", "Your subscription expired.", "Renew any time.\n")
        let sender = MailSender(store: store,
                                transport: SMTPTransport(url: server.url, user: "mailer", password: "s3cret pass"),
                                from: "contact@tsuna.test", log: log.sink)
        XCTAssertEqual(try sender.runOnce(), 1, log.all.joined(separator: "\n"))
        let received = received(server, for: "carol@example.com")
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(received.first?["login"] as? String, "mailer")
        XCTAssertEqual(ParsedMessage(received.first?["content"] as? String ?? "").decodedBody, "Renew any time.\r\n")
    }

    func testWrongPasswordIsRecordedAsAFailedAttempt() throws {
        let server = try server(requiringAuth: true)
        try enqueue("dave@example.com", "Hello", "Body\n")
        let sender = MailSender(store: store, transport: SMTPTransport(url: server.url, user: "mailer", password: "wrong"),
                                from: "contact@tsuna.test", log: log.sink)
        XCTAssertEqual(try sender.runOnce(now: 1_000_000), 0)
        XCTAssertEqual(received(server, for: "dave@example.com").count, 0)
        let row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertEqual(row.attempts, 1)
        XCTAssertEqual(row.nextAttemptAt, 1_000_000 + 5_000_000)
        XCTAssertNil(row.sentAt)
        XCTAssertTrue(row.lastError?.contains("SMTP delivery failed") == true, row.lastError ?? "nil")
        XCTAssertEqual(log.all.count, 1)
    }

    func testMissingLoginWhenServerRequiresItFails() throws {
        let server = try server(requiringAuth: true)
        try enqueue("erin@example.com", "Hello", "Body\n")
        let sender = MailSender(store: store, transport: SMTPTransport(url: server.url, user: nil, password: nil),
                                from: "contact@tsuna.test", log: log.sink)
        XCTAssertEqual(try sender.runOnce(), 0)
        XCTAssertEqual(received(server, for: "erin@example.com").count, 0)
        XCTAssertEqual(try outboxRows(store).first?.attempts, 1)
    }
}

private final class ServerBox: Sendable {
    private let slot = Locked<Result<SMTPTestServer, Error>?>(nil)
    var result: Result<SMTPTestServer, Error>? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}
