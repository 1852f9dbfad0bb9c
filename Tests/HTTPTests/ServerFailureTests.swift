import XCTest
import Foundation
import HTTP
import TestSupport

/// The answers the server gives on its own go through the installed responder; HTTP's own fields are added.
final class ServerFailureTests: XCTestCase {
    var server: HTTPServer?
    var tempDir = ""

    func start(responder: (@Sendable (HTTPFailure) -> Response)? = nil,
               _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        tempDir = TestServer.makeTempDirectory()
        var config = ServerConfiguration(hosts: ["127.0.0.1"], port: 0, loopCount: 1,
                                         temporaryDirectory: tempDir, accessLog: false)
        if let responder { config.failureResponder = responder }
        configure(&config)
        let router = Router()
        let root = tempDir
        _ = FileManager.default.createFile(atPath: root + "/file.txt", contents: Data("0123456789".utf8))
        let files = StaticFiles(root: root)
        router.get("/files/*path") { request in files.respond(to: request, rawPath: request.parameters["path"] ?? "") }
        router.get("/gone") { _ in throw HTTPFailure.fileNotFound }
        router.get("/slow") { _ in
            try await Task.sleep(nanoseconds: 400_000_000)
            return Response(status: 204)
        }
        let server = HTTPServer(configuration: config, router: router)
        try server.start()
        self.server = server
        return server
    }

    override func tearDown() async throws {
        await server?.shutdown()
        try? FileManager.default.removeItem(atPath: tempDir)
    }

    func testWithoutAResponderFailuresArePlainText() throws {
        let server = try start()
        let c = try RawClient(port: server.port)
        let missing = try c.request("GET", "/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Content-Type"), "text/plain; charset=utf-8")
        XCTAssertEqual(missing.text, "Not Found\n")
        let wrong = try c.request("POST", "/gone")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.header("Allow"), "GET, HEAD", "the server adds Allow whatever the responder does")
        let bad = try RawClient(port: server.port)
        try bad.send("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try bad.readResponse().text, "Bad Request: Malformed percent-encoding in the request target.\n")
    }

    func testTheInstalledResponderRendersEveryServerAnswer() throws {
        let server = try start(responder: { failure in
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/x-test")
            return Response(status: 599, headers: headers, body: .bytes(Array("failure \(failure)".utf8)))
        })
        let c = try RawClient(port: server.port)
        let missing = try c.request("GET", "/nope")
        XCTAssertEqual(missing.status, 404, "the status is the failure's, whatever the responder says")
        XCTAssertEqual(missing.header("Content-Type"), "application/x-test")
        XCTAssertEqual(missing.text, "failure notFound")
        XCTAssertEqual(try c.request("GET", "/gone").text, "failure fileNotFound", "a handler may throw a failure")
        XCTAssertEqual(try c.request("GET", "/files/nothing.txt").text, "failure fileNotFound")
        let range = try c.request("GET", "/files/file.txt", headers: ["Range": "bytes=50-"])
        XCTAssertEqual(range.status, 416)
        XCTAssertEqual(range.header("Content-Range"), "bytes */10")
        XCTAssertEqual(range.text, "failure rangeNotSatisfiable(size: 10)")
        XCTAssertEqual(try c.request("GET", "/files/file.txt", headers: ["Range": "bytes=2-4"]).text, "234")
        let big = try RawClient(port: server.port)
        try big.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n")
        let tooLarge = try big.readResponse()
        XCTAssertEqual(tooLarge.status, 431)
        XCTAssertEqual(tooLarge.text, "failure headersTooLarge")
    }

    func testTheConnectionLimitAnswerGoesThroughTheResponder() throws {
        let server = try start(responder: { failure in
            Response.json(failure.status, Array("{\"failure\": \"\(failure)\"}".utf8))
        }) { $0.maxConnections = 1 }
        let busy = try RawClient(port: server.port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let refused = try RawClient(port: server.port)
        let r = try refused.readResponse()
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.text, #"{"failure": "serviceUnavailable"}"#)
        XCTAssertEqual(r.header("Retry-After"), "1")
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(try busy.readResponse().status, 204)
    }
}
