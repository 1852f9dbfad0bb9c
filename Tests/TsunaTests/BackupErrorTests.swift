import XCTest
import Foundation
import TestSupport

/// `backup` and `restore` refusing what they must: wrong usage (2), an existing file or folder without
/// `--force`, a file that is not a backup, a truncated or damaged one, a folder a server is using (1) —
/// with a clear message and nothing half-written in the target folder.
final class BackupErrorTests: XCTestCase {
    var scratch: TemporaryDirectory!

    override func setUpWithError() throws { scratch = try TemporaryDirectory(prefix: "backup-errors") }
    override func tearDown() { scratch.remove() }

    func environment(_ data: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TSUNA_DATA_DIR"] = data
        env["TSUNA_PORT"] = "0"
        return env
    }

    /// A stopped server (which removes its folder when released) with one user, and its backup.
    func makeBackup() throws -> (server: TestServer, file: String) {
        let server = try TestServer(dataDirectory: scratch.file("source"))
        _ = try server.makeUser("ada@example.com")
        let file = scratch.file("good.tar")
        XCTAssertEqual(try server.runCommand(["backup", file]).status, 0)
        XCTAssertEqual(server.stop(), 0)
        return (server, file)
    }

    func testUsageAndExistingFiles() throws {
        let (source, file) = try makeBackup()
        let env = environment(source.dataDirectory)
        for args in [["backup"], ["backup", "a", "b"], ["backup", "--force"], ["restore"], ["restore", "-x"], ["restore", "a", "b"]] {
            let r = try TestServer.run(args, environment: env)
            XCTAssertEqual(r.status, 2, "\(args)")
            XCTAssertTrue(r.err.contains("usage: tsuna \(args[0]) <file> [--force]"), r.err)
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let exists = try TestServer.run(["backup", file], environment: env)
        XCTAssertEqual(exists.status, 1)
        XCTAssertTrue(exists.err.contains("exists; add --force"), exists.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before, "left as it was")
        let forced = try TestServer.run(["backup", "--force", file], environment: env)
        XCTAssertEqual(forced.status, 0, forced.err)
        XCTAssertEqual(scratch.listing().filter { $0.contains("partial") }, [], "no temporary file left")

        let empty = try TestServer.run(["backup", scratch.file("x.tar")], environment: environment(scratch.file("nothing")))
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.err.contains("no database"), empty.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("x.tar")))
    }

    func testArchivesThatAreNotWholeBackupsChangeNothing() throws {
        let (_, file) = try makeBackup()
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 13) }).write(to: URL(fileURLWithPath: scratch.file("junk.bin")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: scratch.file("half.tar")))
        try whole.prefix(whole.count - 1024).write(to: URL(fileURLWithPath: scratch.file("no-end.tar")))
        try whole.prefix(700).write(to: URL(fileURLWithPath: scratch.file("head.tar")))
        var damaged = whole
        damaged[whole.count / 2] ^= 0xFF   // inside the database's bytes
        try damaged.write(to: URL(fileURLWithPath: scratch.file("damaged.tar")))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: scratch.file("hello.txt")))
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-cf", scratch.file("other.tar"), "-C", scratch.path, "hello.txt"]
        try tar.run()
        tar.waitUntilExit()

        let cases: [(String, String)] = [
            ("junk.bin", "not a Tsuna backup"), ("other.tar", "not a Tsuna backup"), ("half.tar", "truncated"),
            ("no-end.tar", "truncated"), ("head.tar", "truncated"), ("damaged.tar", "checksums differ"),
            ("missing.tar", "No such file"),
        ]
        // Into a new folder: it is not even created.
        for (name, message) in cases {
            let target = scratch.file("new-\(name)")
            let r = try TestServer.run(["restore", scratch.file(name)], environment: environment(target))
            XCTAssertEqual(r.status, 1, name)
            XCTAssertTrue(r.err.contains(message), "\(name): \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: target), "\(name): \(target) was left behind")
        }
        // Over a folder in use, even with --force: its contents stay exactly as they were.
        let live = try TestServer(dataDirectory: scratch.file("live"))
        _ = try live.makeUser("bob@example.com")
        let inUse = try live.runCommand(["restore", "--force", file])
        XCTAssertEqual(inUse.status, 1)
        XCTAssertTrue(inUse.err.contains("in use by tsuna serve"), inUse.err)
        XCTAssertEqual(live.stop(), 0)
        let snapshot = try folderSnapshot(live.dataDirectory)
        for (name, message) in cases {
            let r = try live.runCommand(["restore", "--force", scratch.file(name)])
            XCTAssertEqual(r.status, 1, name)
            XCTAssertTrue(r.err.contains(message), "\(name): \(r.err)")
            let now = try folderSnapshot(live.dataDirectory)
            XCTAssertEqual(now, snapshot, "\(name) changed the folder: \(Set(now.keys).symmetricDifference(snapshot.keys)) "
                           + "\(now.keys.filter { now[$0] != snapshot[$0] })")
        }
        let notEmpty = try live.runCommand(["restore", file])
        XCTAssertEqual(notEmpty.status, 1)
        XCTAssertTrue(notEmpty.err.contains("not empty; add --force"), notEmpty.err)
        XCTAssertEqual(try folderSnapshot(live.dataDirectory), snapshot)

        // With --force and a whole backup, the folder becomes the backup's.
        let replaced = try live.runCommand(["restore", "--force", file])
        XCTAssertEqual(replaced.status, 0, replaced.err)
        let again = try TestServer(dataDirectory: live.dataDirectory, logPath: scratch.file("again.log"))
        let c = try again.client()
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "ada@example.com", "password": "correct-horse-9"]).status, 200)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "bob@example.com", "password": "correct-horse-9"]).status, 401)
        XCTAssertEqual(again.stop(), 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: live.dataDirectory).filter { $0.hasPrefix(".restore") }, [])
    }

    /// Every file's path and bytes.
    func folderSnapshot(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: path)
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
            if relative == "tsuna.lock" { continue }   // names the last holder: not data
            result[relative] = isDirectory.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative))
        }
        return result
    }
}
