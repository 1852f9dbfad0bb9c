import XCTest
import Foundation
@testable import HTTP
import TestSupport

/// Connection limits: per client address, and the global one across event loops.
final class ConnectionLimitTests: ServerTestCase {
    func startServer(_ configure: (inout ServerConfiguration) -> Void) throws {
        try start(configure) { router in
            router.get("/hello") { _ in Response(status: 200, body: .bytes(Array("hello".utf8))) }
            // Which loop served the request (handlers that do not suspend run on the loop's thread).
            router.get("/loop") { _ in Response(status: 200, body: .bytes(Array(String(UInt(pthread_self())).utf8))) }
            // Holds its loop's thread: new connections go to another loop meanwhile.
            router.get("/block") { _ in
                usleep(800_000)
                return Response(status: 204)
            }
            router.get("/client") { request in Response(status: 200, body: .bytes(Array(request.clientAddress.utf8))) }
        }
    }

    func waitUntilConnections(_ count: Int) {
        let deadline = Date().addingTimeInterval(5)
        while server!.connectionCount != count && Date() < deadline { usleep(10_000) }
    }

    func testConnectionsPerAddressAreCapped() throws {
        try startServer { $0.maxConnectionsPerAddress = 3 }
        var clients = try (0..<3).map { _ in try client() }
        for c in clients { XCTAssertEqual(try c.request("GET", "/hello").status, 200) }
        let fourth = try client()
        let refused = try fourth.readResponse()
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("Connection"), "close")
        XCTAssertEqual(refused.header("Retry-After"), "1")
        XCTAssertTrue(fourth.isClosedByPeer(within: 5))
        clients.removeFirst()  // closes one
        waitUntilConnections(2)
        XCTAssertEqual(try client().request("GET", "/hello").status, 200, "room again")
    }

    func testBehindATrustedProxyTheForwardedClientIsCounted() throws {
        try startServer {
            $0.maxConnectionsPerAddress = 2
            $0.trustedProxies = try! TrustedProxies.parse("127.0.0.0/8")
        }
        func via(_ address: String) throws -> (RawClient, RawResponse) {
            let c = try client()
            return (c, try c.request("GET", "/client", headers: ["X-Forwarded-For": address]))
        }
        let kept = try [via("198.51.100.1"), via("198.51.100.1"), via("198.51.100.2"), via("198.51.100.2")]
        for (_, r) in kept { XCTAssertEqual(r.status, 200) }
        XCTAssertEqual(kept[0].1.text, "198.51.100.1")
        let third = try via("198.51.100.1")
        XCTAssertEqual(third.1.status, 503, "a third connection for the same client")
        XCTAssertEqual(third.1.header("Connection"), "close")
    }

    /// Connections whose last request was served by the loop `loop` names, one per call, until `count`.
    func connections(on loop: String?, count: Int, excluding: Set<String> = []) throws -> [(RawClient, String)] {
        var found: [(RawClient, String)] = []
        for _ in 0..<40 where found.count < count {
            let c = try client()
            let name = try c.request("GET", "/loop").text
            if (loop == nil || name == loop) && !excluding.contains(name) { found.append((c, name)) }
        }
        return found
    }

    func testAtTheLimitTheLongestIdleConnectionOfAnyLoopMakesRoom() throws {
        try startServer { $0.loopCount = 2; $0.maxConnections = 5 }
        // a and h on one loop (X), b on the other (Y); two more idle fillers reach the limit of 5.
        guard let (a, x) = try connections(on: nil, count: 1).first,
              let (h, _) = try connections(on: x, count: 1).first,
              let (b, _) = try connections(on: nil, count: 1, excluding: [x]).first else {
            throw XCTSkip("the kernel never spread connections over both loops")
        }
        waitUntilConnections(3)
        XCTAssertEqual(try a.request("GET", "/loop").text, x, "a is the longest idle from here on")
        let fillers = try (0..<2).map { _ in try client() }
        for f in fillers { XCTAssertEqual(try f.request("GET", "/hello").status, 200) }
        XCTAssertEqual(try b.request("GET", "/hello").status, 200)
        // h holds X's thread, so the next connection is accepted by Y.
        try h.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let c = try client()
        let last = try c.request("GET", "/loop")
        XCTAssertEqual(last.status, 200)
        XCTAssertNotEqual(last.text, x, "c was accepted by the other loop")
        XCTAssertTrue(a.isClosedByPeer(within: 5), "the longest-idle connection, on the other loop, made room")
        XCTAssertEqual(try b.request("GET", "/hello").status, 200, "b, idle on the accepting loop, was kept")
        XCTAssertEqual(try h.readResponse().status, 204)
    }

    func testWithNothingIdleOnAnyLoopNewConnectionsGet503() throws {
        try start({ $0.loopCount = 2; $0.maxConnections = 2 }) { router in
            router.get("/slow") { _ in
                try await Task.sleep(nanoseconds: 500_000_000)
                return Response(status: 204)
            }
        }
        let busy = try (0..<2).map { _ in try client() }
        for c in busy { try c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n") }
        usleep(100_000)
        let refused = try client()
        XCTAssertEqual(try refused.readResponse().status, 503)
        for c in busy { XCTAssertEqual(try c.readResponse().status, 204, "busy connections are untouched") }
    }
}
