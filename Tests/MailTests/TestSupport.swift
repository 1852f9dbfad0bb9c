import Platform
import Foundation
import Mail
import Store
import XCTest

/// A fresh directory under the system temp folder, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tsuna-mail-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func listing(_ sub: String? = nil) -> [String] {
        let dir = sub.map { path + "/" + $0 } ?? path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A store whose only migration is the outbox schema.
func makeOutboxStore(in dir: TempDirectory) throws -> Store {
    try Store(path: dir.file("mail.sqlite"), migrations: [Migration(version: 1, name: "outbox", sql: Outbox.schemaSQL)])
}

/// One outbox row as the tests inspect it.
struct OutboxRow {
    var id: Int64, recipient: String, attempts: Int, nextAttemptAt: Int64, lastError: String?, sentAt: Int64?, failed: Bool
}

func outboxRows(_ store: Store) throws -> [OutboxRow] {
    try store.read { c in
        try c.query("SELECT id, recipient, attempts, next_attempt_at, last_error, sent_at, failed FROM outbox ORDER BY id") {
            OutboxRow(id: $0.int64(0), recipient: $0.string(1), attempts: $0.int(2), nextAttemptAt: $0.int64(3),
                      lastError: $0.optionalString(4), sentAt: $0.optionalInt64(5), failed: $0.bool(6))
        }
    }
}

/// Collects log lines from the sender's thread.
final class LogLines: Sendable {
    private let lines = Locked<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    /// A Sendable closure appending to these lines, for MailSender's `log`.
    var sink: @Sendable (String) -> Void { { [self] line in self.append(line) } }
}

/// A headers/body split of a rendered RFC 5322 message (headers unfolded, names lower-cased).
struct ParsedMessage {
    var headers: [(String, String)] = []
    var body: String = ""

    init(_ text: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return }
        body = String(text[split.upperBound...])
        var unfolded: [String] = []
        for line in text[..<split.lowerBound].components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += line
            } else {
                unfolded.append(line)
            }
        }
        for line in unfolded {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((line[..<colon].lowercased(), String(value)))
        }
    }

    func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }

    /// The body with its transfer encoding undone.
    var decodedBody: String {
        header("content-transfer-encoding") == "quoted-printable" ? QuotedPrintable.decode(body) : body
    }
}

/// Decodes a header value made of RFC 2047 `=?UTF-8?B?…?=` words (whitespace between words dropped);
/// other text is returned as is.
func decodeEncodedWords(_ value: String) -> String {
    guard value.hasPrefix("=?") else { return value }
    var bytes: [UInt8] = []
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
        guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
              let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return value }
        bytes += data
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A TCP port on 127.0.0.1 with nothing listening (bound, then closed): connecting is refused.
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
