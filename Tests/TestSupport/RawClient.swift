import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A parsed HTTP response as a test sees it.
public struct RawResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object/array/value (Foundation types), nil if it is not JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    public var object: [String: Any] { (json as? [String: Any]) ?? [:] }
}

/// A blocking HTTP/1.1 client over one real TCP connection, for tests that need to see the bytes.
/// `@unchecked Sendable`: a client is handed to one thread and used by that thread alone.
public final class RawClient: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// `from`: the local address to connect from (any 127.x.y.z on loopback), to appear as another client.
    public init(port: Int, host: String = "127.0.0.1", from source: String? = nil, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw TestFailure("bind to \(source) failed: errno \(errno)") }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw TestFailure("connect to \(port) failed: errno \(errno)") }
        setTimeout(timeout)
    }

    deinit { close(fd) }

    public func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw TestFailure("send failed: errno \(errno)") }
            off += n
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads more bytes; false at EOF or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// True when the server closed the connection (EOF) before `seconds` pass with nothing else arriving.
    public func isClosedByPeer(within seconds: Double) -> Bool {
        setTimeout(seconds)
        defer { setTimeout(10) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Reads one response (Content-Length framed, or none for 1xx/204/304/HEAD).
    public func readResponse(isHead: Bool = false) throws -> RawResponse {
        while true {
            if let end = findHeadEnd() {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
                let bodyLength = (isHead || status == 204 || status == 304 || status < 200) ? 0 : length
                while buffer.count < end + 4 + bodyLength {
                    guard fill() else { throw TestFailure("connection ended inside a response body") }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + bodyLength)])
                buffer.removeFirst(end + 4 + bodyLength)
                return RawResponse(status: status, headers: headers, body: body)
            }
            guard fill() else { throw TestFailure("no response (EOF or timeout); got \(buffer.count) bytes") }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Sends one request and reads its response.
    public func request(_ method: String, _ path: String, headers: [String: String] = [:],
                        body: [UInt8]? = nil) throws -> RawResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + (body ?? []))
        return try readResponse(isHead: method == "HEAD")
    }

    /// JSON request helper: encodes `json` (Foundation types) and sets Content-Type.
    public func json(_ method: String, _ path: String, _ json: Any? = nil, token: String? = nil,
                     headers: [String: String] = [:]) throws -> RawResponse {
        var h = headers
        if let token { h["Authorization"] = "Bearer \(token)" }
        var body: [UInt8]? = nil
        if let json {
            h["Content-Type"] = "application/json"
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
        }
        return try request(method, path, headers: h, body: body)
    }
}
