import Foundation

/// Account helpers for end-to-end tests: register → verify (through the mailed link) → login.
public struct TestUser: Sendable {
    public let email: String
    public let password: String
    public let token: String
    public var access: String
    public var refresh: String
}

extension TestServer {
    /// Registers, verifies through the link of the verification mail, logs in.
    public func makeUser(_ email: String = "user-\(UUID().uuidString.prefix(8))@example.com",
                         password: String = "correct-horse-9", firstName: String = "Ada",
                         lastName: String = "Lovelace") throws -> TestUser {
        let c = try client()
        let r = try c.json("POST", "/accounts/v1/register/", ["email": email, "password": password,
                                                              "first_name": firstName, "last_name": lastName])
        guard r.status == 201, let token = r.object["token"] as? String else {
            throw TestFailure("register failed: \(r.status) \(r.text)")
        }
        let mail = waitForMail(to: email)
        guard let link = mail?.link, let path = URL(string: link)?.path else { throw TestFailure("no verification mail for \(email)") }
        let v = try c.request("GET", path + "/")
        guard v.status == 200 else { throw TestFailure("verify failed: \(v.status) \(v.text)") }
        return try login(email, password, token: token)
    }

    public func login(_ email: String, _ password: String, token: String = "") throws -> TestUser {
        let l = try client().json("POST", "/accounts/v1/login/", ["email": email, "password": password])
        guard l.status == 200, let access = l.object["access"] as? String, let refresh = l.object["refresh"] as? String else {
            throw TestFailure("login failed: \(l.status) \(l.text)")
        }
        return TestUser(email: email, password: password, token: token, access: access, refresh: refresh)
    }

    /// Runs `tsuna <args>` against this server's data folder; returns (status, stdout, stderr).
    public func runCommand(_ args: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws
        -> (status: Int32, out: String, err: String) {
        try TestServer.run(args, environment: environment.merging(extra) { $1 }, stdin: stdin)
    }

    /// Runs `tsuna <args>`; a command still running after `timeout` seconds is killed (status -9), so a test
    /// expecting an exit can fail but never hang.
    public static func run(_ args: [String], environment: [String: String], stdin: String? = nil, timeout: Double = 60) throws
        -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = args
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        let pid = p.processIdentifier
        let watchdog = DispatchWorkItem { Foundation.kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// An administrator created with `tsuna create-admin`, logged in.
    public func makeAdmin(_ email: String = "admin-\(UUID().uuidString.prefix(8))@example.com",
                          password: String = "admin-password-1") throws -> TestUser {
        let r = try runCommand(["create-admin", "--email", email], stdin: password + "\n")
        guard r.status == 0 else { throw TestFailure("create-admin failed: \(r.err)") }
        return try login(email, password)
    }
}
