import XCTest
import Foundation
import HTTP
import TestSupport

/// Slow readers: one that is slow but steady gets a response of any size to the end; one that stalls
/// for the I/O timeout is cut off.
final class SlowReaderTests: ServerTestCase {
    static let bigBody: [UInt8] = {
        var body = [UInt8](repeating: 0, count: 12 << 20)
        body.withUnsafeMutableBufferPointer { b in for k in b.indices { b[k] = UInt8(truncatingIfNeeded: k &* 31) } }
        return body
    }()

    func startServer(_ configure: (inout ServerConfiguration) -> Void) throws {
        try start(configure) { router in
            router.get("/big") { _ in Response(status: 200, body: .bytes(SlowReaderTests.bigBody)) }
        }
    }

    /// A connected socket with a small receive buffer (64 KiB, far below the body), so that the server's writes wait for our reads.
    func slowSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 64 * 1024
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

    /// Received bytes in a buffer allocated once (byte-wise appends cost seconds in a debug build).
    struct Received {
        var bytes: [UInt8]
        var count = 0
        init(capacity: Int) { bytes = [UInt8](repeating: 0, count: capacity) }
        var headEnd: Int? { bytes[..<count].firstRange(of: Array("\r\n\r\n".utf8))?.upperBound }
    }

    /// Reads up to `count` bytes (fewer when the buffer is full); false at EOF, a reset or a 10 s silence.
    func read(_ fd: Int32, _ count: Int, into received: inout Received) -> Bool {
        let end = min(received.count + count, received.bytes.count)
        return received.bytes.withUnsafeMutableBytes { buffer in
            while received.count < end {
                let n = recv(fd, buffer.baseAddress! + received.count, end - received.count, 0)
                if n <= 0 { return false }
                received.count += n
            }
            return true
        }
    }

    func testASlowButSteadyReaderGetsAllOfALargeResponse() throws {
        try startServer { $0.ioTimeout = 0.5 }
        let fd = try slowSocket()
        defer { close(fd) }
        var received = Received(capacity: Self.bigBody.count + 4096)
        // 256 KiB every 50 ms: about 2.5 seconds for the whole body (five I/O timeouts), each step well
        // within the timeout.
        var open = read(fd, 256 * 1024, into: &received)
        guard let headEnd = received.headEnd else { return XCTFail("no response head") }
        while open && received.count < headEnd + Self.bigBody.count {
            usleep(50_000)
            open = read(fd, min(256 * 1024, headEnd + Self.bigBody.count - received.count), into: &received)
        }
        XCTAssertEqual(received.count - headEnd, Self.bigBody.count, "the whole body arrived")
        let same = received.bytes.withUnsafeBytes { r in
            Self.bigBody.withUnsafeBytes { b in memcmp(r.baseAddress! + headEnd, b.baseAddress!, b.count) == 0 }
        }
        XCTAssertTrue(same, "the body arrived intact")
    }

    func testAReaderThatStallsIsCutOff() throws {
        try startServer { $0.ioTimeout = 0.5 }
        let fd = try slowSocket()
        defer { close(fd) }
        var received = Received(capacity: Self.bigBody.count + 4096)
        XCTAssertTrue(read(fd, 1 << 20, into: &received))
        usleep(2_000_000)  // no reading for four I/O timeouts
        while read(fd, 1 << 20, into: &received), received.count < received.bytes.count {}
        XCTAssertLessThan(received.count, Self.bigBody.count, "the server gave up on the stalled reader")
    }
}
