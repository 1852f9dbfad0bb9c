import HTTP
import JSON

/// The application's wire format for answers the HTTP server gives on its own (SPEC section 1):
/// `{"detail": "…"}` bodies with the messages below. Installed as `ServerConfiguration.failureResponder`.
enum HTTPWire {
    @Sendable static func failureResponse(_ failure: HTTPFailure) -> Response {
        switch failure {
        case .notFound: return .detail(404, "Page not found.")
        case .methodNotAllowed(let method, _): return .detail(405, "Method \"\(method)\" not allowed.")
        case .payloadTooLarge(let limit): return .detail(413, "Request body is too large (limit \(limit) bytes).")
        case .headersTooLarge: return .detail(431, "Request header fields too large.")
        case .malformed(let status, let reason): return .detail(status, reason)
        case .serviceUnavailable: return .detail(503, "Too many connections.")
        case .internalError: return .detail(500, "An internal server error occurred.")
        case .fileNotFound: return .detail(404, "Not found.")
        case .rangeNotSatisfiable: return .detail(416, "Requested range not satisfiable.")
        case .requestTimeout: return .detail(408, "The request body took too long to arrive.")
        case .clientClosedRequest: return .detail(499, "The client closed the connection.")
        }
    }
}

extension Response {
    /// `{"detail": message}` — the error shape every endpoint shares.
    static func detail(_ status: Int, _ message: String) -> Response {
        var out = Array("{\"detail\": ".utf8)
        appendJSONString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return json(status, out)
    }
}
