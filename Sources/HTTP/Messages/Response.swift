import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An open file (or a slice of it) to send as a response body. Closed when released.
public final class FileRegion: Sendable {
    public let fd: Int32
    public let offset: Int
    public let length: Int

    /// Takes ownership of `fd`.
    public init(fd: Int32, offset: Int, length: Int) {
        self.fd = fd
        self.offset = offset
        self.length = length
    }

    deinit { close(fd) }
}

public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    case file(FileRegion)

    public var count: Int {
        switch self {
        case .empty: return 0
        case .bytes(let b): return b.count
        case .file(let f): return f.length
        }
    }
}

extension ResponseBody {
    /// The body's bytes; a file region is read from its file.
    public func allBytes() throws -> [UInt8] {
        switch self {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .file(let region):
            var result = [UInt8](repeating: 0, count: region.length)
            var done = 0
            while done < region.length {
                let n = result.withUnsafeMutableBytes {
                    pread(region.fd, $0.baseAddress! + done, region.length - done, off_t(region.offset + done))
                }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SocketError(call: "pread", code: n == 0 ? EIO : errno) }
                done += n
            }
            return result
        }
    }
}

/// What a handler answers. `Content-Length`, `Date`, `Connection` and `X-Request-Id` are added by the server.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ResponseBody
    /// Who made the request, for the access log only (never sent): e.g. a user's token. "-" when nil.
    public var logUser: String?

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ status: Int = 200, _ bytes: [UInt8]) -> Response {
        var h = HTTPHeaders()
        h.add("Content-Type", "application/json")
        return Response(status: status, headers: h, body: .bytes(bytes))
    }
}

/// Thrown by a handler to answer with `response` (validation errors, 403s, …).
public struct HTTPErrorResponse: Error, Sendable {
    public var response: Response
    public init(_ response: Response) { self.response = response }
}
