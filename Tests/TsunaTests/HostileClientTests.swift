import Platform
import XCTest
import Foundation
import TestSupport

/// What one client sends or withholds costs the others nothing (the hostile-clients issue, application side;
/// the HTTP layer's own defects are reproduced in HTTPTests).
final class HostileClientTests: XCTestCase {
    func testAnUploadRefusedFromItsHeadIsNeverRead() throws {
        let f = try ContentFixture()
        let stranger = try f.server.makeUser("stranger@example.com")
        for (token, expected) in [(nil, 401), (stranger.access, 403)] as [(String?, Int)] {
            let c = try f.server.client()
            // 100 MB announced, nothing sent: the answer comes from the head alone, and the connection closes.
            var head = "POST /videos/v1/\(f.channel)/ HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            head += "Content-Length: 104857600\r\n"
            if let token { head += "Authorization: Bearer \(token)\r\n" }
            try c.send(head + "\r\n")
            let r = try c.readResponse()
            XCTAssertEqual(r.status, expected)
            XCTAssertEqual(r.header("Connection"), "close")
            XCTAssertTrue(c.isClosedByPeer(within: 5))
        }
        XCTAssertEqual(f.files("tmp"), [], "nothing was spooled")
        // An unknown item's channel: 404 from the head too.
        let c = try f.server.client()
        try c.send("POST /videos/v1/\(UUID().uuidString.lowercased())/ HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(f.owner.access)\r\n"
                   + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 104857600\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 404)
    }

    func testHEADRecordsNoViewAndMediaIsServedSafely() throws {
        let f = try ContentFixture()
        let viewer = try f.server.makeUser("viewer@example.com")
        let published = try f.item()
        let path = "/videos/v1/\(f.channel)/\(published)/"
        XCTAssertEqual(try f.c.request("HEAD", path, headers: ["Authorization": "Bearer \(viewer.access)"]).status, 200)
        XCTAssertEqual(try f.c.json("GET", path, token: f.owner.access).object["viewers_count"] as? Int, 1,
                       "only the owner's GET counted, not the viewer's HEAD")

        let file = try XCTUnwrap(URLComponents(string: try f.c.json("GET", path, token: f.owner.access).object["file"] as? String ?? ""))
        let open = try f.c.request("GET", file.path)
        XCTAssertEqual(open.status, 200)
        XCTAssertEqual(open.header("X-Content-Type-Options"), "nosniff")
        XCTAssertEqual(open.header("Cache-Control"), "public, max-age=3600")

        let hidden = try f.item(published: false)
        let signed = try XCTUnwrap(URLComponents(string: try f.c.json("GET", "/videos/v1/\(f.channel)/\(hidden)/",
                                                                         token: f.owner.access).object["file"] as? String ?? ""))
        let privateFile = try f.c.request("GET", signed.path + "?" + (signed.query ?? ""))
        XCTAssertEqual(privateFile.status, 200)
        XCTAssertEqual(privateFile.header("Cache-Control"), "private, max-age=3600", "a signed private file is not for shared caches")
        XCTAssertEqual(privateFile.header("X-Content-Type-Options"), "nosniff")
        XCTAssertEqual(try f.c.request("GET", signed.path).status, 403)
    }

    func testPasswordHashingIsBoundedNotQueuedWithoutLimit() throws {
        // Slow hashes and a burst of logins from many addresses: beyond the bound, 503 with Retry-After at once.
        let server = try TestServer(environment: ["TSUNA_PASSWORD_ITERATIONS": "400000", "TSUNA_TRUSTED_PROXIES": "127.0.0.1"])
        let port = server.port
        let statuses = Locked<[Int]>([])
        // One thread per client, all connected first, then released together.
        let clients = (0..<40).compactMap { _ in try? RawClient(port: port, timeout: 120) }
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for (i, c) in clients.enumerated() {
            group.enter()
            Thread.detachNewThread { [c] in
                start.wait()
                let r = try? c.json("POST", "/accounts/v1/login/", ["email": "nobody\(i)@example.com", "password": "whatever-123"],
                                    headers: ["X-Forwarded-For": "198.51.100.\(i)"])
                statuses.withLock { $0.append(r?.status ?? -1) }
                group.leave()
            }
        }
        for _ in clients { start.signal() }
        group.wait()
        let all = statuses.withLock { $0 }
        XCTAssertEqual(all.count, 40)
        XCTAssertTrue(all.contains(401), "some were checked: \(all)")
        XCTAssertTrue(all.contains(503), "the rest were refused at once, not queued: \(all)")
        XCTAssertFalse(all.contains(-1), "every one got an answer")
    }
}
