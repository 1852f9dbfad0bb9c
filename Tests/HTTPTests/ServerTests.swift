import Platform
import XCTest
import Foundation
@testable import HTTP
import TestSupport

/// The server over real sockets, in process, with a router made for each test.
final class ServerTests: XCTestCase {
    var server: HTTPServer!
    var tempDir: String!

    func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                     routes: (Router) -> Void = { _ in }) throws {
        tempDir = TestServer.makeTempDirectory()
        var config = ServerConfiguration(hosts: ["127.0.0.1"], port: 0, loopCount: 2,
                                         temporaryDirectory: tempDir, accessLog: false,
                                         failureResponder: ServerTestCase.detailResponder)
        configure(&config)
        let router = Router()
        router.get("/hello") { _ in Response.json(200, Array(#"{"hello": "world"}"#.utf8)) }
        router.get("/items/:id") { req in Response.json(200, Array("{\"id\": \"\(req.parameters["id"]!)\"}".utf8)) }
        router.get("/items/special") { _ in Response.json(200, Array(#"{"special": true}"#.utf8)) }
        router.add("POST", "/echo", bodyLimit: 1 << 20) { req in
            var kind = "empty"
            switch try await req.body() { case .bytes: kind = "memory"; case .file: kind = "file"; case .empty: break }
            let bytes = try await req.bodyBytes()
            let sum = bytes.reduce(0) { $0 &+ Int($1) }
            return Response.json(200, Array("{\"length\": \(bytes.count), \"sum\": \(sum), \"kind\": \"\(kind)\"}".utf8))
        }
        router.add("POST", "/small", bodyLimit: 10) { req in Response.json(200, Array("{\"n\": \(try await req.body().count)}".utf8)) }
        router.get("/slow/:ms") { req in
            let ms = UInt64(req.parameters["ms"]!) ?? 0
            try await Task.sleep(nanoseconds: ms * 1_000_000)
            return Response.json(200, Array("{\"slept\": \(ms)}".utf8))
        }
        router.get("/boom") { _ in throw TestFailure("handler failed") }
        routes(router)
        server = HTTPServer(configuration: config, router: router)
        try server.start()
    }

    override func tearDown() async throws {
        await server?.shutdown()
        if let tempDir { try? FileManager.default.removeItem(atPath: tempDir) }
    }

    func testKeepAliveServesManyRequestsOnOneConnection() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        for _ in 0..<5 {
            let r = try c.request("GET", "/hello")
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.text, #"{"hello": "world"}"#)
            XCTAssertNil(r.header("Connection"))
            XCTAssertNotNil(r.header("Date"))
        }
    }

    func testRouterParametersFixedSegmentsAndTrailingSlash() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        XCTAssertEqual(try c.request("GET", "/items/abc").text, #"{"id": "abc"}"#)
        XCTAssertEqual(try c.request("GET", "/items/a%20b/").text, #"{"id": "a b"}"#)
        XCTAssertEqual(try c.request("GET", "/items/special/").text, #"{"special": true}"#)
        let missing = try c.request("GET", "/nope/")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, #"{"detail": "Page not found."}"#)
        let wrong = try c.request("DELETE", "/hello")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.text, #"{"detail": "Method \"DELETE\" not allowed."}"#)
        XCTAssertEqual(wrong.header("Allow"), "GET, HEAD")
    }

    func testUnknownRoutesWithASmallBodyKeepTheConnection() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        let missing = try c.request("POST", "/nope", body: Array("{\"a\": 1}".utf8))
        XCTAssertEqual(missing.status, 404)
        XCTAssertNil(missing.header("Connection"))
        let wrong = try c.request("PUT", "/hello", body: Array("abc".utf8))
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(try c.request("GET", "/hello").status, 200, "the body was consumed; the connection is in sync")
        try c.send("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n")
        let big = try c.readResponse()
        XCTAssertEqual(big.status, 404)
        XCTAssertEqual(big.header("Connection"), "close")
    }

    func testHeadHasLengthButNoBody() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        let r = try c.request("HEAD", "/hello")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Length"), "18")
        XCTAssertEqual(r.body.count, 0)
        XCTAssertEqual(try c.request("GET", "/hello").status, 200)  // the connection is still in sync
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        try c.send("GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/3 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().text, #"{"slept": 200}"#)
        XCTAssertEqual(try c.readResponse().text, #"{"id": "2"}"#)
        XCTAssertEqual(try c.readResponse().text, #"{"id": "3"}"#)
    }

    func testChunkedBodyIsDecoded() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.object["length"] as? Int, 5)
        XCTAssertEqual(r.object["sum"] as? Int, [UInt8]("abcde".utf8).reduce(0) { $0 + Int($1) })
        XCTAssertEqual(try c.request("GET", "/hello").status, 200)
    }

    func testLargeBodySpillsToATemporaryFileThatIsRemovedAfterwards() throws {
        try startServer { $0.bodyMemoryThreshold = 1000 }
        let c = try RawClient(port: server.port)
        let body = [UInt8](repeating: 7, count: 300_000)
        let r = try c.request("POST", "/echo", body: body)
        XCTAssertEqual(r.object["length"] as? Int, 300_000)
        XCTAssertEqual(r.object["kind"] as? String, "file")
        XCTAssertEqual(r.object["sum"] as? Int, 2_100_000)
        let chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
            (0..<10).map { _ in "3e8\r\n" + String(repeating: "a", count: 1000) + "\r\n" }.joined() + "0\r\n\r\n"
        try c.send(chunked)
        let r2 = try c.readResponse()
        XCTAssertEqual(r2.object["length"] as? Int, 10_000)
        XCTAssertEqual(r2.object["kind"] as? String, "file")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tempDir)
        XCTAssertEqual(leftovers, [], "spilled bodies are deleted once the request is done")
    }

    func testBodyOverTheRouteLimitIs413BeforeTheBodyIsRead() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        // Only the head is sent: the answer cannot wait for a body.
        try c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertNotNil(r.object["detail"])
        let c2 = try RawClient(port: server.port)
        try c2.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        XCTAssertEqual(try c2.readResponse().status, 413)
    }

    func testHeadersOverTheLimitAre431() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 431)
        XCTAssertTrue(c.isClosedByPeer(within: 5))
    }

    func testMalformedRequestsGet400AndAClosedConnection() throws {
        try startServer()
        for raw in ["GARBAGE\r\n\r\n", "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
                    "GET /hello HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "GET /a%zz HTTP/1.1\r\n\r\n", "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                    "POST /echo HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"] {
            let c = try RawClient(port: server.port)
            try c.send(raw)
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 400, raw)
            XCTAssertEqual(r.header("Content-Type"), "application/json")
            XCTAssertTrue(c.isClosedByPeer(within: 5), raw)
        }
    }

    func testExpectContinue() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 100)
        try c.send("abcd")
        XCTAssertEqual(try c.readResponse().object["length"] as? Int, 4)
    }

    func testSlowHeadersAreCutOff() throws {
        try startServer { $0.headerTimeout = 0.5 }
        let c = try RawClient(port: server.port)
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        XCTAssertTrue(c.isClosedByPeer(within: 5))
        // A silent connection is closed too.
        let silent = try RawClient(port: server.port)
        XCTAssertTrue(silent.isClosedByPeer(within: 5))
    }

    func testHandlerErrorsBecome500WithoutDetails() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        let r = try c.request("GET", "/boom")
        XCTAssertEqual(r.status, 500)
        XCTAssertEqual(r.text, #"{"detail": "An internal server error occurred."}"#)
        XCTAssertEqual(try c.request("GET", "/hello").status, 200)
    }

    func testRequestIdIsEchoedWhenSaneAndGeneratedOtherwise() throws {
        try startServer()
        let c = try RawClient(port: server.port)
        XCTAssertEqual(try c.request("GET", "/hello", headers: ["X-Request-Id": "abc-123.x:y_z"]).header("X-Request-Id"), "abc-123.x:y_z")
        let generated = try c.request("GET", "/hello", headers: ["X-Request-Id": "bad id!"]).header("X-Request-Id") ?? ""
        XCTAssertNotNil(UUID(uuidString: generated), generated)
        let other = try c.request("GET", "/hello").header("X-Request-Id") ?? ""
        XCTAssertNotEqual(generated, other)
    }

    func testFileResponsesAreStreamed() throws {
        let path = TestServer.makeTempDirectory() + "/blob"
        let content = (0..<200_000).map { UInt8($0 % 251) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(content))
        try startServer(routes: { r in
            r.get("/file") { _ in
                let fd = open(path, O_RDONLY)
                return Response(status: 200, body: .file(FileRegion(fd: fd, offset: 10, length: 100_000)))
            }
        })
        let c = try RawClient(port: server.port)
        let r = try c.request("GET", "/file")
        XCTAssertEqual(r.body, Array(content[10..<100_010]))
    }

    func testIPv6Listener() throws {
        try startServer { $0.hosts = ["::1"] }
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = in_port_t(UInt16(server.port).bigEndian)
        inet_pton(AF_INET6, "::1", &addr.sin6_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        XCTAssertEqual(rc, 0)
        let req = Array("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        _ = req.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_WAITALL)) }
        XCTAssertTrue(String(decoding: buf[0..<max(n, 0)], as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
    }

    func testConnectionLimitClosesIdleConnectionsToMakeRoom() throws {
        try startServer { $0.maxConnections = 2; $0.loopCount = 1 }
        let a = try RawClient(port: server.port)
        XCTAssertEqual(try a.request("GET", "/hello").status, 200)
        let b = try RawClient(port: server.port)
        XCTAssertEqual(try b.request("GET", "/hello").status, 200)
        let c = try RawClient(port: server.port)
        XCTAssertEqual(try c.request("GET", "/hello").status, 200)
        XCTAssertTrue(a.isClosedByPeer(within: 5), "the oldest idle connection made room")
    }

    func testAtTheLimitWithNothingIdleNewConnectionsGet503() throws {
        try startServer { $0.maxConnections = 1; $0.loopCount = 1 }
        let busy = try RawClient(port: server.port)
        try busy.send("GET /slow/500 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let refused = try RawClient(port: server.port)
        try? refused.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try refused.readResponse()
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.header("Retry-After"), "1")
        XCTAssertNotNil(UUID(uuidString: r.header("X-Request-Id") ?? ""))
        XCTAssertEqual(try busy.readResponse().status, 200, "the busy connection is untouched")
    }

    func testGracefulShutdownFinishesInFlightRequestsThenRunsHooks() async throws {
        try startServer()
        let hookRan = HookFlag()
        server.onShutdown { hookRan.set() }
        let c = try RawClient(port: server.port)
        try c.send("GET /slow/300 HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(nanoseconds: 50_000_000)
        let server = self.server!
        let shutdown = Task { await server.shutdown() }
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Connection"), "close")
        await shutdown.value
        XCTAssertTrue(hookRan.value)
        XCTAssertThrowsError(try RawClient(port: server.port), "no longer accepting")
    }
}

extension ServerTests {
    func testATerminationSignalSentBeforeTheWaitIsNotLost() async throws {
        try startServer()
        let server = self.server!
        kill(getpid(), SIGTERM)  // caught from start on: the test process survives it
        usleep(50_000)
        let stopped = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await server.runUntilTerminated(); return true }
            group.addTask { try? await Task.sleep(nanoseconds: 10_000_000_000); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        XCTAssertTrue(stopped, "runUntilTerminated returned on the early signal")
        XCTAssertThrowsError(try RawClient(port: server.port), "no longer accepting")
    }
}

final class HookFlag: Sendable {
    private let flag = Locked(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
