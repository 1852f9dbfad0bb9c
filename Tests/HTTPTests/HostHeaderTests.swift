import XCTest
import HTTP
import TestSupport

/// HTTP/1.1 requires Host (RFC 9112 3.2); HTTP/1.0 does not.
final class HostHeaderTests: ServerTestCase {
    func testHTTP11WithoutHostIs400() throws {
        try start { router in router.get("/hello") { _ in Response(status: 204) } }
        let c = try client()
        try c.send("GET /hello HTTP/1.1\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.text, #"{"detail": "Missing Host header."}"#)
        XCTAssertTrue(c.isClosedByPeer(within: 5))
        let old = try client()
        try old.send("GET /hello HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try old.readResponse().status, 204)
    }
}
