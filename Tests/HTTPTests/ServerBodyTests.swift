import XCTest
import Foundation
import HTTP
import TestSupport

/// Bodies are read only when the handler asks for them (`Request.body()`), under the route's limit.
final class ServerBodyTests: ServerTestCase {
    let failures = Recorder<HTTPFailure>()

    /// /ignore answers without reading; /echo reads and answers the length; /twice reads twice;
    /// /record reads and records the failure it gets.
    func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        let failures = self.failures
        try start(configure) { router in
            router.get("/hello") { _ in Response(status: 200, body: .bytes(Array("hello".utf8))) }
            router.add("POST", "/ignore", bodyLimit: 100 << 20) { _ in Response(status: 201) }
            router.add("POST", "/echo", bodyLimit: 1 << 20) { request in
                let bytes = try await request.bodyBytes()
                return Response(status: 200, body: .bytes(Array("\(bytes.count)".utf8)))
            }
            router.add("POST", "/twice", bodyLimit: 1 << 20) { request in
                let first = try await request.body()
                let second = try await request.body()
                let same: Bool
                switch (first, second) {
                case (.bytes(let a), .bytes(let b)): same = a == b
                case (.file(let a), .file(let b)): same = a === b
                default: same = false
                }
                return Response(status: same && request.receivedBody != nil ? 200 : 500)
            }
            router.add("POST", "/record", bodyLimit: 1 << 20) { request in
                do throws(HTTPFailure) {
                    _ = try await request.body()
                    return Response(status: 200)
                } catch {
                    failures.record(error)
                    throw error
                }
            }
        }
    }

    func testTheHandlerAnswersBeforeAnAnnouncedBodyIsRead() throws {
        try startServer()
        let c = try client()
        // 100 MB announced, nothing sent: the handler answers at once and nothing is spooled.
        try c.send("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(r.header("Connection"), "close", "a large unread body is not drained")
        XCTAssertTrue(c.isClosedByPeer(within: 5))
        XCTAssertEqual(leftovers, [])
    }

    func testASmallUnreadBodyIsDroppedAndTheConnectionKept() throws {
        try startServer()
        let c = try client()
        let r = try c.request("POST", "/ignore", body: [UInt8](repeating: 1, count: 60_000))
        XCTAssertEqual(r.status, 201)
        XCTAssertNil(r.header("Connection"))
        XCTAssertEqual(try c.request("GET", "/hello").text, "hello", "the dropped body did not leak into the next request")
        // Chunked, unread and small: dropped too.
        try c.send("POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        XCTAssertNil(try c.readResponse().header("Connection"))
        XCTAssertEqual(try c.request("GET", "/hello").text, "hello")
    }

    func testTheAnswerToADroppedBodyWaitsForIt() throws {
        try startServer()
        let c = try client()
        try c.send("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
        c.setTimeout(0.3)
        XCTAssertThrowsError(try c.readResponse(), "held until the body is in")
        c.setTimeout(10)
        try c.send("67890GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 201)
        XCTAssertEqual(try c.readResponse().text, "hello")
    }

    func testABodyReadTwiceIsTheSameBody() throws {
        try startServer()
        let c = try client()
        XCTAssertEqual(try c.request("POST", "/twice", body: Array("abc".utf8)).status, 200)
        XCTAssertEqual(try c.request("POST", "/twice", body: [UInt8](repeating: 2, count: 5000)).status, 200)
    }

    func testSpilledBodiesAreReadWhenAskedAndRemovedAfterTheAnswer() throws {
        try startServer { $0.bodyMemoryThreshold = 1000 }
        let c = try client()
        XCTAssertEqual(try c.request("POST", "/twice", body: [UInt8](repeating: 2, count: 50_000)).status, 200)
        XCTAssertEqual(try c.request("POST", "/echo", body: [UInt8](repeating: 2, count: 50_000)).text, "50000")
        XCTAssertEqual(leftovers, [])
    }

    func testPipelinedRequestsWithReadAndUnreadBodies() throws {
        try startServer()
        let c = try client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
                   "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz" +
                   "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" +
                   "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().text, "3")
        XCTAssertEqual(try c.readResponse().status, 201)
        XCTAssertEqual(try c.readResponse().text, "2")
        let last = try c.readResponse()
        XCTAssertEqual(last.text, "hello")
        XCTAssertNil(last.header("Connection"))
    }

    func testOverTheLimitIs413OnlyWhenTheHandlerReads() throws {
        try startServer()
        let c = try client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 413, "no 100 Continue for a body that will not be read")
        XCTAssertEqual(r.text, #"{"detail": "Request body is too large (limit 1048576 bytes)."}"#)
        XCTAssertEqual(r.header("Connection"), "close")
        let chunked = try client()
        try chunked.send("POST /record HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n")
        XCTAssertEqual(try chunked.readResponse().status, 413)
        XCTAssertEqual(failures.all, [.payloadTooLarge(limit: 1 << 20)])
        XCTAssertTrue(chunked.isClosedByPeer(within: 5))
    }

    func testExpectContinueIsAnsweredOnlyWhenTheBodyIsWanted() throws {
        try startServer()
        let c = try client()
        try c.send("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 201, "a final answer, no 100")
        XCTAssertEqual(r.header("Connection"), "close", "the client may still send the body: the connection ends")
        let wanted = try client()
        try wanted.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try wanted.readResponse().status, 100)
        try wanted.send("abcd")
        XCTAssertEqual(try wanted.readResponse().text, "4")
    }

    func testMalformedChunksReachTheHandlerAs400() throws {
        try startServer()
        let c = try client()
        try c.send("POST /record HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(failures.all, [.malformed(status: 400, reason: "Malformed chunked request body.")])
    }

    func testAStalledBodyClosesTheConnectionAndFailsTheRead() throws {
        try startServer { $0.ioTimeout = 0.5 }
        let c = try client()
        try c.send("POST /record HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n123")
        XCTAssertTrue(c.isClosedByPeer(within: 5))
        XCTAssertEqual(failures.waitForValue(), .requestTimeout)
    }

    func testAClientLeavingMidBodyFailsTheRead() throws {
        try startServer()
        do {
            let c = try client()
            try c.send("POST /record HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n123")
            usleep(100_000)
        }
        XCTAssertEqual(failures.waitForValue(), .clientClosedRequest)
    }
}
