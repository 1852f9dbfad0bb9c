import FoundationEssentials

/// The steps every request takes once its head is parsed, whatever carried it — a socket `Connection`
/// or `InProcessClient`: the request id, routing (404, 405), the handler, the mapping of what it throws,
/// the failure responder, the access log and metrics.
/// A class: each handler task captures it, one reference rather than a copy of the configuration.
final class RequestPipeline: Sendable {
    /// Largest unread body dropped to keep the connection after a 404 or 405.
    static let unroutedDrainLimit = 1 << 20
    /// Largest unread body dropped to keep the connection after a handler answered without reading it.
    static let unreadBodyDrainLimit = 64 * 1024

    let routes: RouteTable
    let failures: FailureRenderer
    let configuration: ServerConfiguration
    let metrics: HTTPMetrics?

    init(routes: RouteTable, failures: FailureRenderer, configuration: ServerConfiguration, metrics: HTTPMetrics?) {
        self.routes = routes
        self.failures = failures
        self.configuration = configuration
        self.metrics = metrics
    }

    enum Route {
        case handler(RouteEntry, [String: String])
        case failure(HTTPFailure)
    }

    func route(_ head: RequestHead) -> Route {
        switch routes.match(method: head.method, rawPath: head.rawPath) {
        case .found(let entry, let parameters): return .handler(entry, parameters)
        case .notFound: return .failure(.notFound)
        case .methodNotAllowed(let allow): return .failure(.methodNotAllowed(method: head.method, allow: allow))
        }
    }

    /// Runs `handler`: an `HTTPErrorResponse` answers with its response, an `HTTPFailure` through the
    /// responder, anything else is logged and answered as a 500.
    func respond(to request: Request, with handler: Handler) async -> Response {
        let response: Response
        do {
            response = try await handler(request)
        } catch let error as HTTPErrorResponse {
            response = error.response
        } catch let failure as HTTPFailure {
            response = failures.response(failure)
        } catch {
            Self.logError("\(request.method) \(request.path): \(error)", requestId: request.requestId)
            response = failures.response(.internalError)
        }
        request.finished()
        return response
    }

    /// Echo a sane client `X-Request-Id`, else make a new UUID.
    func requestId(for head: RequestHead, random: inout FastRandom) -> String {
        if let sent = head.headers["X-Request-Id"], Self.isSaneRequestId(sent) { return sent }
        return random.uuid()
    }

    static func isSaneRequestId(_ s: String) -> Bool {
        let u = s.utf8
        guard !u.isEmpty && u.count <= 128 else { return false }
        for c in u {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// The client's address: `peer`, or the one a trusted proxy forwarded (`trustedProxies`).
    func clientAddress(peer: String, head: RequestHead) -> String {
        let proxies = configuration.trustedProxies
        if proxies.isEmpty { return peer }
        return proxies.clientAddress(peer: peer, forwardedFor: head.headers.values("X-Forwarded-For"))
    }

    /// Counts the answer in the metrics (into `shard`: the event loop's) and appends its access-log line to
    /// `log` (unless the log is off). `nanos`: the precise duration; `millis`: the loop clock's, for the log.
    func record(_ response: Response, head: RequestHead?, route: RouteEntry?, millis: Int64, nanos: UInt64, shard: Int,
                requestId: String, client: String, timestamp: String, log: inout [UInt8]) {
        metrics?.record(route: route?.index ?? HTTPMetrics.unmatchedRoute, method: head?.method ?? "-",
                        status: response.status, nanos: nanos, shard: shard)
        guard configuration.accessLog else { return }
        let sent = head?.method == "HEAD" || !ResponseHead.hasBody(response.status) ? 0 : response.body.count
        AccessLog.append(to: &log, timestamp: timestamp, method: head?.method ?? "-",
                         target: head.map { configuration.redactPath($0.target) } ?? "-",
                         status: response.status, millis: millis, bytes: sent, client: client,
                         user: response.logUser, requestId: requestId)
    }

    static func logError(_ message: String, requestId: String?) {
        logLine(level: .error, "request_id=\(requestId ?? "-") \(message)")
    }
}
