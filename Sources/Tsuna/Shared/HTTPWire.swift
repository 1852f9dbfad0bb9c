import HTTP
import JSON

/// The application's wire format for answers the HTTP server gives on its own (SPEC section 1):
/// `{"detail": "…"}` bodies with the messages below. Installed as `ServerConfiguration.failureResponder`.
enum HTTPWire {
    @Sendable static func failureResponse(_ failure: HTTPFailure) -> Response {
        switch failure {
        case .notFound: return Wire.detail(404, "Page not found.")
        case .methodNotAllowed(let method, _): return Wire.detail(405, "Method \"\(method)\" not allowed.")
        case .payloadTooLarge(let limit): return Wire.detail(413, "Request body is too large (limit \(limit) bytes).")
        case .headersTooLarge: return Wire.detail(431, "Request header fields too large.")
        case .malformed(let status, let reason): return Wire.detail(status, reason)
        case .serviceUnavailable: return Wire.detail(503, "Too many connections.")
        case .internalError: return Wire.detail(500, "An internal server error occurred.")
        case .fileNotFound: return Wire.detail(404, "Not found.")
        case .rangeNotSatisfiable: return Wire.detail(416, "Requested range not satisfiable.")
        }
    }
}
