/// The answers the server gives on its own, before or instead of a handler's. The server knows status
/// codes only: the application renders each failure in its wire format with the responder it installs
/// (`ServerConfiguration.failureResponder`), and the server then adds the fields HTTP requires of that
/// status (`Allow`, `Content-Range`, `Retry-After`). Handlers may throw one too: it is rendered the same way.
public enum HTTPFailure: Error, Sendable, Equatable {
    /// No route has this path (404).
    case notFound
    /// The path exists for other methods (405); `allow` becomes the `Allow` field.
    case methodNotAllowed(method: String, allow: [String])
    /// The body is larger than the route accepts (413); the connection closes.
    case payloadTooLarge(limit: Int)
    /// The request head is larger than `maxHeadBytes`, or has too many fields (431); the connection closes.
    case headersTooLarge
    /// The request cannot be parsed (400; 501 for a transfer coding, 505 for a version); `reason` is short
    /// English text. The connection closes.
    case malformed(status: Int, reason: String)
    /// At the connection limit, overall or for the client's address (503 with `Retry-After: 1`); the
    /// connection closes.
    case serviceUnavailable
    /// A handler threw an error that is not an `HTTPErrorResponse` or `HTTPFailure`, or the server failed
    /// (500). The cause goes to the log with the request id, never to the client.
    case internalError
    /// `StaticFiles` has no such file (404).
    case fileNotFound
    /// `StaticFiles` cannot serve the requested range of a file of `size` bytes (416 with `Content-Range`).
    case rangeNotSatisfiable(size: Int)

    /// The status of the answer.
    public var status: Int {
        switch self {
        case .notFound, .fileNotFound: return 404
        case .methodNotAllowed: return 405
        case .payloadTooLarge: return 413
        case .headersTooLarge: return 431
        case .malformed(let status, _): return status
        case .serviceUnavailable: return 503
        case .internalError: return 500
        case .rangeNotSatisfiable: return 416
        }
    }

    /// Whether the server closes the connection after answering.
    var closesConnection: Bool {
        switch self {
        case .payloadTooLarge, .headersTooLarge, .malformed, .serviceUnavailable: return true
        default: return false
        }
    }

    /// The responder used when the application installs none: `text/plain`, the status line's phrase
    /// (and the reason of a malformed request).
    public static let plainTextResponder: @Sendable (HTTPFailure) -> Response = { failure in
        var text = StatusText.phrase(failure.status)
        if case .malformed(_, let reason) = failure { text += ": " + reason }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return Response(status: failure.status, headers: headers, body: .bytes(Array((text + "\n").utf8)))
    }
}

/// Turns failures into responses: the installed responder's body, the fields HTTP requires added.
struct FailureRenderer: Sendable {
    let responder: @Sendable (HTTPFailure) -> Response

    func response(_ failure: HTTPFailure) -> Response {
        var response = responder(failure)
        response.status = failure.status
        switch failure {
        case .methodNotAllowed(_, let allow):
            response.headers.replaceOrAdd("Allow", allow.joined(separator: ", "))
        case .rangeNotSatisfiable(let size):
            response.headers.replaceOrAdd("Content-Range", "bytes */\(size)")
        case .serviceUnavailable:
            response.headers.replaceOrAdd("Retry-After", "1")
        default:
            break
        }
        return response
    }
}

extension HTTPParseError {
    /// The failure to answer with; `bodyLimit` is the limit a too-large chunked body broke.
    func failure(bodyLimit: Int) -> HTTPFailure {
        switch self {
        case .headerTooLarge: return .headersTooLarge
        case .bodyTooLarge: return .payloadTooLarge(limit: bodyLimit)
        default: return .malformed(status: status, reason: message)
        }
    }
}
