import XCTest
import Foundation
import HTTP
import TestSupport

/// The in-process driver answers exactly as a socket connection would: same parser, routes, limits,
/// handlers, error mapping and failure responder.
final class InProcessClientTests: XCTestCase {
    var tempDir = ""

    override func tearDown() {
        if !tempDir.isEmpty { try? FileManager.default.removeItem(atPath: tempDir) }
    }

    func makeClient(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> InProcessClient {
        tempDir = TestServer.makeTempDirectory()
        var config = ServerConfiguration(temporaryDirectory: tempDir, accessLog: false,
                                         failureResponder: ServerTestCase.detailResponder)
        configure(&config)
        let router = Router()
        router.get("/items/:id") { request in
            Response(status: 200, body: .bytes(Array("item \(request.parameters["id"]!) from \(request.remoteAddress)".utf8)))
        }
        router.add("POST", "/echo", bodyLimit: 100) { request in
            let body = try await request.body()
            let kind: String
            switch body { case .empty: kind = "empty"; case .bytes: kind = "memory"; case .file: kind = "file" }
            return Response(status: 200, body: .bytes(Array("\(kind) \(try body.allBytes().count)".utf8)))
        }
        router.get("/boom") { _ in throw CocoaError(.featureUnsupported) }
        router.get("/refused") { _ in throw HTTPErrorResponse(Response(status: 403)) }
        let file = tempDir + "/blob"
        _ = FileManager.default.createFile(atPath: file, contents: Data("0123456789".utf8))
        router.get("/file") { _ in
            Response(status: 200, body: .file(FileRegion(fd: open(file, O_RDONLY), offset: 2, length: 5)))
        }
        return InProcessClient(router: router, configuration: config)
    }

    func text(_ response: Response) -> String { String(decoding: (try? response.body.allBytes()) ?? [], as: UTF8.self) }

    func testRoutingParametersAndRequestIds() async {
        let client = makeClient()
        let r = await client.send(target: "/items/a%20b/", remoteAddress: "10.0.0.7")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(text(r), "item a b from 10.0.0.7")
        XCTAssertNotNil(UUID(uuidString: r.headers["X-Request-Id"] ?? ""))
        XCTAssertEqual(r.headers["Content-Length"], "22")
        var headers = HTTPHeaders()
        headers.add("X-Request-Id", "mine-1")
        let mine = await client.send(target: "/items/1", headers: headers)
        XCTAssertEqual(mine.headers["X-Request-Id"], "mine-1")
        let head = await client.send(method: "HEAD", target: "/items/1")
        XCTAssertEqual(head.headers["Content-Length"], "21", "as the GET would have")
        XCTAssertEqual(try head.body.allBytes(), [])
    }

    func testServerAnswersGoThroughTheResponder() async {
        let client = makeClient()
        let missing = await client.send(target: "/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(text(missing), #"{"detail": "Page not found."}"#)
        let wrong = await client.send(method: "DELETE", target: "/items/1")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers["Allow"], "GET, HEAD")
        let boom = await client.send(target: "/boom")
        XCTAssertEqual(boom.status, 500)
        XCTAssertEqual(text(boom), #"{"detail": "An internal server error occurred."}"#)
        let refused = await client.send(target: "/refused")
        XCTAssertEqual(refused.status, 403)
        let malformed = await client.send(target: "/a%zz")
        XCTAssertEqual(malformed.status, 400)
        XCTAssertEqual(text(malformed), #"{"detail": "Malformed percent-encoding in the request target."}"#)
        var big = HTTPHeaders()
        big.add("X-Big", String(repeating: "a", count: 17 * 1024))
        let tooLongHead = await client.send(target: "/items/1", headers: big)
        XCTAssertEqual(tooLongHead.status, 431)
    }

    func testBodiesAreFramedAndLimitedAsOnASocket() async {
        let client = makeClient { $0.bodyMemoryThreshold = 10 }
        let small = await client.send(method: "POST", target: "/echo", body: Array("abc".utf8))
        XCTAssertEqual(text(small), "memory 3")
        let spilled = await client.send(method: "POST", target: "/echo", body: [UInt8](repeating: 1, count: 50))
        XCTAssertEqual(text(spilled), "file 50")
        let none = await client.send(method: "POST", target: "/echo")
        XCTAssertEqual(text(none), "empty 0")
        let tooLarge = await client.send(method: "POST", target: "/echo", body: [UInt8](repeating: 1, count: 101))
        XCTAssertEqual(tooLarge.status, 413)
        XCTAssertEqual(text(tooLarge), #"{"detail": "Request body is too large (limit 100 bytes)."}"#)
        var chunked = HTTPHeaders()
        chunked.add("Transfer-Encoding", "chunked")
        let decoded = await client.send(method: "POST", target: "/echo", headers: chunked,
                                        body: Array("2\r\nab\r\n1\r\nc\r\n0\r\n\r\n".utf8))
        XCTAssertEqual(text(decoded), "memory 3")
        let chunkedTooLarge = await client.send(method: "POST", target: "/echo", headers: chunked,
                                                body: Array("65\r\n".utf8) + [UInt8](repeating: 1, count: 101))
        XCTAssertEqual(chunkedTooLarge.status, 413)
        let badChunk = await client.send(method: "POST", target: "/echo", headers: chunked, body: Array("zz\r\n".utf8))
        XCTAssertEqual(badChunk.status, 400)
        var short = HTTPHeaders()
        short.add("Content-Length", "10")
        let truncated = await client.send(method: "POST", target: "/echo", headers: short, body: [1, 2])
        XCTAssertEqual(truncated.status, 400)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tempDir), ["blob"],
                       "spilled bodies are removed once the handler is done")
    }

    func testFileResponsesCanBeReadBack() async throws {
        let client = makeClient()
        let r = await client.send(target: "/file")
        XCTAssertEqual(r.headers["Content-Length"], "5")
        XCTAssertEqual(try r.body.allBytes(), Array("23456".utf8))
    }
}
