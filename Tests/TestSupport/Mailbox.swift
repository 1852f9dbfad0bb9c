import Foundation

/// A received email, parsed enough for tests: headers and the decoded text body.
public struct ReceivedMail {
    public let headers: [String: String]
    public let body: String
    public var subject: String { headers["subject"] ?? "" }
    public var to: String { headers["to"] ?? "" }

    /// Parses an RFC 5322 message (CRLF or LF), decoding a quoted-printable body.
    public init(raw: String) {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let parts = normalized.components(separatedBy: "\n\n")
        var headers: [String: String] = [:]
        var last: String?
        for line in (parts.first ?? "").components(separatedBy: "\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let key = last {
                headers[key, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let key = line[..<colon].lowercased()
                headers[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
        }
        var body = parts.dropFirst().joined(separator: "\n\n")
        if headers["content-transfer-encoding"]?.lowercased() == "quoted-printable" {
            body = ReceivedMail.decodeQuotedPrintable(body)
        }
        self.headers = headers
        self.body = body
    }

    static func decodeQuotedPrintable(_ s: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(s.replacingOccurrences(of: "=\n", with: "").utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 2 < bytes.count,
               let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first http(s) link in the body.
    public var link: String? {
        guard let range = body.range(of: #"https?://[^\s<>"]+"#, options: .regularExpression) else { return nil }
        return String(body[range])
    }
}

extension TestServer {
    /// Mail written to `<data>/mail/*.eml` (no SMTP configured), oldest first.
    public func mails() -> [ReceivedMail] {
        let dir = dataDirectory + "/mail"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".eml") }
            .sorted { (Int($0.split(separator: "-").last?.dropLast(4) ?? "") ?? 0) < (Int($1.split(separator: "-").last?.dropLast(4) ?? "") ?? 0) }
        return names.compactMap { try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.map(ReceivedMail.init(raw:))
    }

    /// Waits (bounded) for the newest mail to `address` (with `subject`, when given).
    public func waitForMail(to address: String, subject: String? = nil, timeout: Double = 20) -> ReceivedMail? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let m = mails().last(where: { $0.to.lowercased().contains(address.lowercased()) && (subject == nil || $0.subject == subject) }) {
                return m
            }
            if Date() > deadline { return nil }
            usleep(20_000)
        }
    }

    /// Waits (bounded) for at least `count` mails; the bound is a safety net, not a timing assertion.
    public func waitForMails(_ count: Int, timeout: Double = 20) -> [ReceivedMail] {
        let deadline = Date().addingTimeInterval(timeout)
        var found = mails()
        while found.count < count && Date() < deadline {
            usleep(20_000)
            found = mails()
        }
        return found
    }
}

/// A real SMTP server process (Python's aiosmtpd) that stores each message in a maildir.
public final class SMTPServer {
    public let port: Int
    public let maildir: String
    private let process = Process()

    public init() throws {
        maildir = TestServer.makeTempDirectory()
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        port = SMTPServer.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)",
                             "-c", "aiosmtpd.handlers.Mailbox", maildir]
        process.standardOutput = FileHandle.nullDevice
        let errPipe = Pipe()
        process.standardError = errPipe
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let _ = try? RawClient(port: port, timeout: 1) { return }
            if !process.isRunning {
                let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw TestFailure("aiosmtpd did not start (install it: python3 -m pip install aiosmtpd): \(err)")
            }
            usleep(50_000)
        }
        throw TestFailure("aiosmtpd did not listen on \(port)")
    }

    /// Messages delivered so far.
    public func messages() -> [ReceivedMail] {
        var result: [ReceivedMail] = []
        for sub in ["new", "cur"] {
            let dir = maildir + "/" + sub
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                if let raw = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) { result.append(ReceivedMail(raw: raw)) }
            }
        }
        return result
    }

    public func waitForMessages(_ count: Int, timeout: Double = 30) -> [ReceivedMail] {
        let deadline = Date().addingTimeInterval(timeout)
        var found = messages()
        while found.count < count && Date() < deadline {
            usleep(50_000)
            found = messages()
        }
        return found
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: maildir)
    }
}
