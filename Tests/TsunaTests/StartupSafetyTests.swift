import XCTest
import Foundation
import TestSupport

/// Start-up refuses, clearly, what it cannot serve safely, and what it creates is private to its user
/// (the faults and hostile-clients issues).
final class StartupSafetyTests: XCTestCase {
    func environment(_ dir: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TSUNA_DATA_DIR"] = dir
        env["TSUNA_PORT"] = "0"
        env["TSUNA_PASSWORD_ITERATIONS"] = "1000"
        return env
    }

    func testAnUnreadableSecretKeyStopsServeWithAMessageNamingIt() throws {
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A folder where the key should be (a bad restore): it used to recurse until the stack overflowed.
        try FileManager.default.createDirectory(atPath: dir + "/secret.key", withIntermediateDirectories: true)
        let r = try TestServer.run(["serve"], environment: environment(dir))
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains(dir + "/secret.key"), r.err)
        XCTAssertFalse(r.out.contains("listening"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/tsuna.sqlite"), "nothing written")
    }

    func testAShortSecretKeyIsRefused() throws {
        let dir = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "short\n".write(toFile: dir + "/secret.key", atomically: true, encoding: .utf8)
        let r = try TestServer.run(["serve"], environment: environment(dir))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("secret.key is too short"), r.err)
    }

    func testAReadOnlyDataFolderIsRefusedAtStart() throws {
        // A read-only remount, as after a crash; root ignores file modes, so it takes a real read-only mount.
        let mountPoint = TestServer.makeTempDirectory()
        defer {
            _ = shell("umount", mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        guard shell("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint) == 0 else {
            throw XCTSkip("mounting a tmpfs needs CAP_SYS_ADMIN, which this machine does not give")
        }
        // A server dies (kill -9) leaving its -wal and snapshots, and the file system comes back read-only.
        let data = mountPoint + "/data"
        let env = environment(data)
        let first = try TestServer(dataDirectory: data, logPath: TestServer.makeTempDirectory() + ".log")
        let owner = try first.makeUser("owner@example.com")
        let c = try first.client()
        let channel = try XCTUnwrap(try c.json("POST", "/channels/v1/", ["title": "RO"], token: owner.access).object["token"] as? String)
        let fan = try first.makeUser("fan@example.com")
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: fan.access).status, 201)
        Thread.sleep(forTimeInterval: 2)   // past a snapshot interval
        first.kill()
        XCTAssertTrue(FileManager.default.fileExists(atPath: data + "/tsuna.sqlite-wal"))
        guard shell("mount", "-o", "remount,ro", mountPoint) == 0 else { return XCTFail("remount read-only failed") }
        let r = try TestServer.run(["serve"], environment: env, timeout: 20)
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.err.contains("not writable") && r.err.contains("read-only"), r.err)
        XCTAssertFalse(r.out.contains("listening"))
        // Writable again: nothing was lost by the refused start.
        XCTAssertEqual(shell("mount", "-o", "remount,rw", mountPoint), 0)
        let again = try TestServer(environment: env, dataDirectory: data, logPath: TestServer.makeTempDirectory() + ".log")
        XCTAssertEqual(try again.client().json("GET", "/channel_subscribers/v1/\(channel)/", token: fan.access).text, "true")
        again.kill()
    }

    func testTheDataFolderAndItsFilesArePrivateWhateverTheUmask() throws {
        let old = umask(0o022)
        defer { umask(old) }
        let parent = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let server = try TestServer(dataDirectory: parent + "/data")
        let user = try server.makeUser("ada@example.com")
        let c = try server.client()
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 64)
        let (type, body) = ContentFixture.multipart(["first_name": "Ada"], files: [("picture", "p.png", png)])
        XCTAssertEqual(try c.request("PATCH", "/accounts/v1/\(user.token)/", headers: [
            "Authorization": "Bearer \(user.access)", "Content-Type": type], body: body).status, 200)
        let backup = parent + "/copy.tar"
        XCTAssertEqual(try server.runCommand(["backup", backup]).status, 0)

        func mode(_ path: String) -> Int {
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
        }
        let data = server.dataDirectory
        XCTAssertEqual(mode(data), 0o700)
        for dir in ["media", "media/pictures", "snapshots", "mail", "tmp"] { XCTAssertEqual(mode(data + "/" + dir), 0o700, dir) }
        var files = ["tsuna.sqlite", "tsuna.sqlite-wal", "tsuna.sqlite-shm", "secret.key"]
        files += (try FileManager.default.contentsOfDirectory(atPath: data + "/media/pictures")).map { "media/pictures/" + $0 }
        files += (try FileManager.default.contentsOfDirectory(atPath: data + "/mail")).map { "mail/" + $0 }
        XCTAssertGreaterThan(files.count, 5)
        for f in files { XCTAssertEqual(mode(data + "/" + f), 0o600, f) }
        XCTAssertEqual(mode(backup), 0o600, "backup")
    }

    @discardableResult
    func shell(_ args: String...) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// A misspelt variable is named at start with the closest known one, instead of silently ignored.
final class UnknownVariableTests: XCTestCase {
    func testAMisspeltVariableIsNamedWithTheClosestKnownOne() throws {
        let server = try TestServer(environment: ["TSUNA_PROT": "9000", "TSUNA_FLUSH_INTERVAL": "5"])
        defer { server.kill() }
        let deadline = Date().addingTimeInterval(10)
        while !server.log.contains("TSUNA_FLUSH_INTERVAL ") && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(server.log.contains("TSUNA_PROT is not a Tsuna variable (ignored); did you mean TSUNA_PORT?"), server.log)
        XCTAssertTrue(server.log.contains("did you mean TSUNA_FLUSH_INTERVAL_SECONDS?"), server.log)
        XCTAssertEqual(try server.client().request("GET", "/healthz").status, 200, "a warning, not a refusal")
    }
}
