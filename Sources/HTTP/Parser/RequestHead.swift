/// The parsed request line and header fields of one HTTP/1.x request.
public struct RequestHead: Sendable {
    /// The method as sent, a case-sensitive token ("GET").
    public var method: String
    /// The raw request-target as sent.
    public var target: String
    /// The path, still percent-encoded, without the query ("*" for an asterisk-form OPTIONS).
    public var rawPath: String
    /// The raw query without '?', nil when absent.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The Content-Length value, nil when absent.
    public var contentLength: Int?
    /// True when the body is sent with Transfer-Encoding: chunked.
    public var isChunked: Bool
    /// Whether the connection may be reused after this request.
    public var keepAlive: Bool
    /// True when the client sent "Expect: 100-continue".
    public var expectContinue: Bool

    /// A head built field by field (for tests and synthetic requests); `rawPath` defaults to `target`.
    public init(method: String = "GET", target: String = "/", rawPath: String? = nil, query: String? = nil,
                versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(), contentLength: Int? = nil,
                isChunked: Bool = false, keepAlive: Bool = true, expectContinue: Bool = false) {
        self.method = method
        self.target = target
        self.rawPath = rawPath ?? target
        self.query = query
        self.versionMinor = versionMinor
        self.headers = headers
        self.contentLength = contentLength
        self.isChunked = isChunked
        self.keepAlive = keepAlive
        self.expectContinue = expectContinue
    }
}

extension RequestHead {
    /// Whether a body follows the head (chunked, or a Content-Length above zero).
    var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }
}

/// Why a request head or body was rejected; maps to a response status.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequestLine, badVersion, badHeader, headerTooLarge,
         badContentLength, conflictingFraming, unsupportedTransferEncoding,
         badPercentEncoding, badChunk, bodyTooLarge, missingHost

    /// The HTTP status to answer with.
    public var status: Int {
        switch self {
        case .badVersion: return 505
        case .headerTooLarge: return 431
        case .unsupportedTransferEncoding: return 501
        case .bodyTooLarge: return 413
        default: return 400
        }
    }

    /// Short English text (the `reason` of `HTTPFailure.malformed`).
    public var message: String {
        switch self {
        case .badRequestLine: return "Malformed request line."
        case .badVersion: return "HTTP version not supported."
        case .badHeader: return "Malformed header field."
        case .headerTooLarge: return "Request header fields too large."
        case .badContentLength: return "Invalid Content-Length header."
        case .conflictingFraming: return "Ambiguous request framing (Transfer-Encoding with Content-Length or HTTP/1.0)."
        case .unsupportedTransferEncoding: return "Unsupported Transfer-Encoding."
        case .badPercentEncoding: return "Malformed percent-encoding in the request target."
        case .badChunk: return "Malformed chunked request body."
        case .bodyTooLarge: return "Request body too large."
        case .missingHost: return "Missing Host header."
        }
    }
}

/// The outcome of one call to `RequestHeadParser.parse`.
public enum HeadParseResult: Sendable {
    /// More bytes are needed; call again with the same `scannedUpTo`.
    case incomplete
    /// The head ends at `headLength` (the body or next request starts there).
    case complete(RequestHead, headLength: Int)
    /// The head is invalid; answer `error.status` and close the connection.
    case failure(HTTPParseError)
}
