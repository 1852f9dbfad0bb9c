import XCTest
import Foundation
import TestSupport

/// The data folder's disk fills up (a small tmpfs): write-behind writes are refused with 503 instead of
/// acknowledged and lost, other writes answer 503 too, reads keep working, writes come back by themselves
/// once space returns, and a stop on a full disk keeps everything acknowledged.
final class DiskFullTests: XCTestCase {
    var mountPoint = ""

    override func setUpWithError() throws {
        mountPoint = TestServer.makeTempDirectory()
        guard Self.shell("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mountPoint) == 0 else {
            throw XCTSkip("mounting a tmpfs needs CAP_SYS_ADMIN, which this machine does not give")
        }
    }

    override func tearDown() {
        Self.shell("umount", "-l", mountPoint)
        try? FileManager.default.removeItem(atPath: mountPoint)
    }

    /// Fills the file system with one file until writes fail; returns its path.
    func fillDisk() -> String {
        let path = mountPoint + "/filler"
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0o600)
        let chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return path
    }

    func testWritesAreRefusedNotLostWhileTheDiskIsFullAndComeBackWithSpace() throws {
        let data = mountPoint + "/data"
        let env = ["TSUNA_FLUSH_INTERVAL_SECONDS": "1", "TSUNA_SNAPSHOT_INTERVAL_SECONDS": "0.2"]
        // The log lives off the full disk, so the test can read what the server said.
        let server = try TestServer(environment: env, dataDirectory: data, logPath: TestServer.makeTempDirectory() + ".log")
        defer { server.kill() }
        let owner = try server.makeUser("owner@example.com")
        let c = try server.client()
        let channel = try XCTUnwrap(try c.json("POST", "/channels/v1/", ["title": "Full"], token: owner.access).object["token"] as? String)
        let fans = try (0..<12).map { try server.makeUser("fan\($0)@example.com") }

        var acknowledged: [TestUser] = []
        var refused = 0
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: fans[0].access).status, 201)
        acknowledged.append(fans[0])
        let filler = fillDisk()
        // Writes until the engine notices (its next snapshot fails): each is either acknowledged or refused.
        for fan in fans.dropFirst().prefix(6) {
            let r = try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: fan.access)
            if r.status == 201 { acknowledged.append(fan) } else {
                XCTAssertEqual(r.status, 503, r.text)
                XCTAssertEqual(r.detail, "Storage is unavailable; try again later.")
                XCTAssertNotNil(r.header("Retry-After"))
                refused += 1
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        XCTAssertGreaterThan(refused, 0, "a full disk refuses write-behind writes")
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(channel)/", token: owner.access).status, 200, "reads keep working")
        let comment = try c.json("POST", "/channels/v1/", ["title": "Another"], token: owner.access)
        XCTAssertTrue([201, 503].contains(comment.status), "a plain write either lands or is a 503, never a 500: \(comment.text)")
        if comment.status == 201, let token = comment.object["token"] as? String {
            XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: owner.access).status, 200)
        }

        // Space returns: writes are accepted again without a restart.
        XCTAssertEqual(unlink(filler), 0)
        let deadline = Date().addingTimeInterval(20)
        var back = false
        while Date() < deadline {
            let r = try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: fans[7].access)
            if r.status == 201 { back = true; acknowledged.append(fans[7]); break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertTrue(back, "writes come back once space returns")

        // A stop on a full disk still keeps what was acknowledged (the reserve makes room for the last snapshot).
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(channel)/create/", token: fans[8].access).status, 201)
        acknowledged.append(fans[8])
        _ = fillDisk()
        let status = server.stop()
        XCTAssertTrue(server.log.contains("shutting down"))
        unlink(mountPoint + "/filler")
        XCTAssertEqual(status, 0, "nothing acknowledged was lost: \(server.log.suffix(2000))")

        let again = try TestServer(environment: env, dataDirectory: data, logPath: TestServer.makeTempDirectory() + ".log")
        defer { again.kill() }
        let c2 = try again.client()
        for fan in acknowledged {
            XCTAssertEqual(try c2.json("GET", "/channel_subscribers/v1/\(channel)/", token: fan.access).text, "true",
                           "\(fan.email) was acknowledged")
        }
        let count = try c2.json("GET", "/channels/v1/\(channel)/", token: owner.access).object["subscribers_count"] as? Int
        XCTAssertEqual(count, acknowledged.count + 1, "the owner and every acknowledged fan, nothing else")
    }

    @discardableResult
    static func shell(_ args: String...) -> Int32 {
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
