import XCTest
import Foundation
import HTTP
import TestSupport

/// Slow uploads: a body that comes slowly but steadily is read; one dripped byte by byte is cut off,
/// although every drip is progress.
final class SlowUploadTests: ServerTestCase {
    let failures = Recorder<HTTPFailure>()

    func startServer(_ configure: (inout ServerConfiguration) -> Void) throws {
        let failures = self.failures
        try start(configure) { router in
            router.add("POST", "/upload", bodyLimit: 1 << 20) { request in
                do throws(HTTPFailure) {
                    let body = try await request.body()
                    return Response(status: 200, body: .bytes(Array("\(body.count)".utf8)))
                } catch {
                    failures.record(error)
                    throw error
                }
            }
        }
    }

    func testABodyDrippedByteByByteIsCutOff() throws {
        try startServer { $0.ioTimeout = 30; $0.minimumBodyBytes = 1000; $0.bodyRateWindow = 2 }
        let c = try client()
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        // 10 bytes every 200 ms (50 B/s) while 1000 bytes per 2 s are required; each drip refreshes the
        // no-progress timeout, so only the rate can end this.
        var closed = false
        for _ in 0..<50 where !closed {
            if (try? c.send(Array(repeating: UInt8(ascii: "x"), count: 10))) == nil { closed = true }
            usleep(200_000)
            closed = closed || failures.all.count > 0
        }
        XCTAssertTrue(closed)
        XCTAssertTrue(c.isClosedByPeer(within: 5))
        XCTAssertEqual(failures.waitForValue(), .requestTimeout)
    }

    func testASlowButSteadyUploadIsRead() throws {
        try startServer { $0.ioTimeout = 30; $0.minimumBodyBytes = 1000; $0.bodyRateWindow = 2 }
        let c = try client()
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 6000\r\n\r\n")
        for _ in 0..<20 {  // 300 bytes every 200 ms: 1500 B/s, for four seconds
            try c.send(Array(repeating: UInt8(ascii: "y"), count: 300))
            usleep(200_000)
        }
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "6000")
    }
}
