import Foundation
import Mail
import Store
import XCTest

final class FileTransportTests: XCTestCase {
    var dir: TempDirectory!

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir?.remove() }

    func testWritesOneParseableEmlPerMessage() throws {
        let transport = FileTransport(directory: dir.file("mail"))   // created on demand
        let body = "Hi alice,\n\nClick: https://tsuna.test/verify/a/b/\n"
        try transport.send(MailMessage(id: 7, to: "alice@example.com", subject: "Verify Your Account", body: body),
                           from: "contact@tsuna.test")
        try transport.send(MailMessage(id: 8, to: "bob@example.com", subject: "Café ☕", body: "Grüße"),
                           from: "contact@tsuna.test")
        let files = dir.listing("mail")
        XCTAssertEqual(files.count, 2, "\(files)")
        XCTAssertFalse(files.contains { $0.hasSuffix(".tmp") })
        let first = try XCTUnwrap(files.first { $0.hasSuffix("-7.eml") })
        XCTAssertNotNil(first.range(of: #"^\d{8}T\d{6}Z-7\.eml$"#, options: .regularExpression), first)

        let text = try String(contentsOfFile: dir.file("mail/" + first), encoding: .utf8)
        let parsed = ParsedMessage(text)
        XCTAssertEqual(parsed.header("to"), "alice@example.com")
        XCTAssertEqual(parsed.header("from"), "contact@tsuna.test")
        XCTAssertEqual(parsed.header("subject"), "Verify Your Account")
        XCTAssertEqual(parsed.decodedBody, "Hi alice,\r\n\r\nClick: https://tsuna.test/verify/a/b/\r\n")

        let second = try XCTUnwrap(files.first { $0.hasSuffix("-8.eml") })
        let parsed2 = ParsedMessage(try String(contentsOfFile: dir.file("mail/" + second), encoding: .utf8))
        XCTAssertEqual(decodeEncodedWords(parsed2.header("subject") ?? ""), "Café ☕")
        XCTAssertEqual(parsed2.decodedBody, "Grüße\r\n")

        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("mail/" + first))[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testUnwritableDirectoryThrows() throws {
        let blocker = dir.file("not-a-dir")
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let transport = FileTransport(directory: blocker + "/mail")
        XCTAssertThrowsError(try transport.send(MailMessage(id: 1, to: "a@b.test", subject: "s", body: "b"), from: "f@g.test")) {
            XCTAssertTrue($0 is MailError, "\($0)")
        }
    }

    func testSenderWithFileTransportDeliversQueuedMessages() throws {
        let store = try makeOutboxStore(in: dir)
        defer { store.close() }
        try store.writeSync { c in
            try Outbox.enqueue(c, to: "a@b.test", subject: "One", body: "1", now: 0)
            try Outbox.enqueue(c, to: "c@d.test", subject: "Two", body: "2", now: 0)
        }
        let sender = MailSender(store: store, transport: FileTransport(directory: dir.file("mail")),
                                from: "contact@tsuna.test", log: { _ in })
        XCTAssertEqual(try sender.runOnce(), 2)
        XCTAssertEqual(dir.listing("mail").count, 2)
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 0)
        XCTAssertTrue(try outboxRows(store).allSatisfy { $0.sentAt != nil && $0.attempts == 0 })
    }
}
