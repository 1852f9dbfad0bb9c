import Platform
import Foundation
import XCTest

/// A real SMTP server (Python's aiosmtpd) in a child process. Each accepted message is written as
/// `<n>.json` (envelope sender, recipients, raw content, authenticated login) into the inbox directory.
///
/// Needs python3 and aiosmtpd (`python3 -m pip install aiosmtpd`): when either is missing, `start`
/// throws and the test fails with that message.
final class SMTPTestServer: Sendable {
    let inbox: String
    let port: Int
    private let process: Process
    private let stdin: Pipe

    /// The server script: binds port 0 and prints the port once it listens (no race, no polling).
    static let script = #"""
    import asyncio, json, os, signal, sys, threading
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    # A child spawned from a dispatch thread inherits its blocked signals: let SIGTERM work again.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    # Exit when the test process goes away (stdin reaches EOF), so a crashed test leaves no server behind.
    def watch_parent():
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=watch_parent, daemon=True).start()

    inbox, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    counter = [0]

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            counter[0] += 1
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "content": envelope.original_content.decode("utf-8", "replace"),
                "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            }
            tmp = os.path.join(inbox, "%d.tmp" % counter[0])
            with open(tmp, "w") as f:
                json.dump(record, f)
            os.rename(tmp, os.path.join(inbox, "%d.json" % counter[0]))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        # handled=False: aiosmtpd then answers 535 itself (handled=True would leave the client waiting).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def factory():
        if user:
            return SMTP(Handler(), authenticator=authenticator, auth_required=True, auth_require_tls=False)
        return SMTP(Handler())

    async def main():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())
    """#

    /// Starts the server; `user`/`password` non-nil → AUTH required (LOGIN/PLAIN over plain text).
    init(directory: String, user: String? = nil, password: String? = nil) throws {
        guard let python = SMTPTestServer.findExecutable("python3") else {
            throw SMTPServerUnavailable("python3 is not on PATH; the SMTP tests need python3 with aiosmtpd (python3 -m pip install aiosmtpd)")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            throw SMTPServerUnavailable("the Python module aiosmtpd is missing: install it with `python3 -m pip install aiosmtpd`")
        }

        inbox = directory + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let scriptPath = directory + "/smtp_server.py"
        try SMTPTestServer.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)

        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptPath, inbox, user ?? "", password ?? ""]
        let stdout = Pipe()
        process.standardOutput = stdout
        stdin = Pipe()   // kept open for the server's lifetime: its EOF tells the server to exit
        process.standardInput = stdin
        let stderrPath = directory + "/smtp_server.stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()

        // Read the port line on another thread, so a wedged child cannot hang the test.
        let reader = stdout.fileHandleForReading
        let box = PortBox()
        let got = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var line = [UInt8]()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                line += chunk
                if line.contains(UInt8(ascii: "\n")) { break }
            }
            box.set(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            got.signal()
        }
        let started = got.wait(timeout: .now() + 20) == .success
        guard started, let port = box.get() else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw SMTPServerUnavailable("the aiosmtpd test server did not start: \(err)")
        }
        self.port = port
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The messages received so far, in arrival order.
    func received() -> [[String: Any]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? [])
            .filter { $0.hasSuffix(".json") }
            .sorted { (Int($0.dropLast(5)) ?? 0) < (Int($1.dropLast(5)) ?? 0) }
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: inbox + "/" + name) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    /// Kills the server (SIGKILL: nothing to flush, and a signal mask cannot delay it) and reaps it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdin.fileHandleForWriting.close()
    }

    deinit { stop() }

    static func findExecutable(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in paths where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }
}

struct SMTPServerUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private final class PortBox: Sendable {
    private let port = Locked<Int?>(nil)
    func set(_ p: Int?) { port.withLock { $0 = p } }
    func get() -> Int? { port.withLock { $0 } }
}
