import XCTest
import Foundation
import HTTP
import TestSupport

/// Slow readers: one that is slow but steady gets a response of any size to the end; one that stalls
/// for the I/O timeout is cut off.
final class SlowReaderTests: ServerTestCase {
    static let bigBody = [UInt8]((0..<(12 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })

    func startServer(_ configure: (inout ServerConfiguration) -> Void) throws {
        try start(configure) { router in
            router.get("/big") { _ in Response(status: 200, body: .bytes(SlowReaderTests.bigBody)) }
        }
    }

    /// A connected socket whose receive buffer is small, so that the server's writes wait for our reads.
    func slowSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(server!.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw TestFailure("connect failed") }
        let request = Array("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Reads up to `count` bytes; fewer only at EOF, a reset or a 10 s silence.
    func read(_ fd: Int32, _ count: Int, into received: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var left = count
        while left > 0 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min(left, $0.count), 0) }
            if n <= 0 { return false }
            received.append(contentsOf: chunk[0..<n])
            left -= n
        }
        return true
    }

    func testASlowButSteadyReaderGetsAllOfALargeResponse() throws {
        try startServer { $0.ioTimeout = 1 }
        let fd = try slowSocket()
        defer { close(fd) }
        var received: [UInt8] = []
        // 256 KiB every 100 ms: about five seconds for the whole body, each step well within the timeout.
        var open = true
        while open && received.count < Self.bigBody.count + 100 {
            open = read(fd, 256 * 1024, into: &received)
            usleep(100_000)
        }
        guard let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else {
            return XCTFail("no response head")
        }
        XCTAssertEqual(received.count - headEnd, Self.bigBody.count, "the whole body arrived")
        XCTAssertTrue(received[headEnd...].elementsEqual(Self.bigBody))
    }

    func testAReaderThatStallsIsCutOff() throws {
        try startServer { $0.ioTimeout = 1 }
        let fd = try slowSocket()
        defer { close(fd) }
        var received: [UInt8] = []
        XCTAssertTrue(read(fd, 1 << 20, into: &received))
        sleep(4)  // no reading for four I/O timeouts
        while read(fd, 1 << 20, into: &received) {}
        XCTAssertLessThan(received.count, Self.bigBody.count, "the server gave up on the stalled reader")
    }
}
