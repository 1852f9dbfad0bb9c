import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Runs requests through the server's own pipeline without a socket: the same head parser (and its
/// limits), request ids, routing (404, 405), body framing and limits, handlers, error mapping, failure
/// responder, metrics and access log — only the transport differs. For tests, and for tools that call the
/// API in process.
public struct InProcessClient: Sendable {
    private let pipeline: RequestPipeline
    private let parser: RequestHeadParser

    /// A client for the routes registered on `router` so far, answering as a server with `configuration`
    /// would (its limits, failure responder, temporary directory and access log).
    public init(router: Router, configuration: ServerConfiguration = ServerConfiguration(accessLog: false),
                metrics: HTTPMetrics? = nil) {
        metrics?.bind(routes: router.routes)
        pipeline = RequestPipeline(routes: router.table,
                                   failures: FailureRenderer(responder: configuration.failureResponder),
                                   configuration: configuration, metrics: metrics)
        parser = RequestHeadParser(maxHeadBytes: configuration.maxHeadBytes)
    }

    /// Sends one HTTP/1.1 request. `Host` is added when absent, and `Content-Length` when there is a body
    /// and no framing header (with `Transfer-Encoding: chunked`, `body` is the chunked wire form).
    /// The response carries `X-Request-Id` and `Content-Length` as on the wire; a HEAD response has no body.
    /// A file body (`.file`) can be read with `ResponseBody.allBytes()`.
    public func send(method: String = "GET", target: String, headers: HTTPHeaders = HTTPHeaders(),
                     body: [UInt8] = [], remoteAddress: String = "127.0.0.1") async -> Response {
        let started = monotonicMillis()
        let startedNanos = monotonicNanos()
        var random = FastRandom()
        var text = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains("Host") { text += "Host: in-process\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty && !headers.contains("Content-Length") && !headers.contains("Transfer-Encoding") {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        var scanned = 0
        let parsed = Array(text.utf8).withUnsafeBytes { parser.parse($0, scannedUpTo: &scanned) }

        let head: RequestHead
        switch parsed {
        case .complete(let h, _):
            head = h
        case .failure(let error):
            return finish(pipeline.failures.response(error.failure(bodyLimit: 0)), head: nil, route: nil,
                          requestId: random.uuid(), client: remoteAddress, started: started, startedNanos: startedNanos)
        case .incomplete:  // a CR or LF inside a header value cut the head short
            return finish(pipeline.failures.response(.malformed(status: 400, reason: "Malformed header field.")),
                          head: nil, route: nil, requestId: random.uuid(), client: remoteAddress, started: started, startedNanos: startedNanos)
        }
        let requestId = pipeline.requestId(for: head, random: &random)
        let client = pipeline.clientAddress(peer: remoteAddress, head: head)
        switch pipeline.route(head) {
        case .failure(let failure):
            return finish(pipeline.failures.response(failure), head: head, route: nil, requestId: requestId,
                          client: client, started: started, startedNanos: startedNanos)
        case .handler(let entry, let parameters):
            let configuration = pipeline.configuration
            let source = BufferedBody(head: head, bytes: body, limit: entry.info.bodyLimit,
                                      memoryThreshold: configuration.bodyMemoryThreshold,
                                      temporaryDirectory: configuration.temporaryDirectory)
            let request = Request(head: head, parameters: parameters, routePattern: entry.info.pattern,
                                  remoteAddress: remoteAddress, clientAddress: client, requestId: requestId, startedAt: started,
                                  body: .buffered(source), failures: pipeline.failures)
            let response = await pipeline.respond(to: request, with: entry.handler)
            return finish(response, head: head, route: entry, requestId: requestId, client: client,
                          started: started, startedNanos: startedNanos)
        }
    }

    /// Adds what the server adds on the wire, and records the request as the server would.
    private func finish(_ response: Response, head: RequestHead?, route: RouteEntry?, requestId: String,
                        client: String, started: Int64, startedNanos: UInt64) -> Response {
        var response = response
        response.headers.replaceOrAdd("X-Request-Id", requestId)
        if ResponseHead.hasBody(response.status) {
            response.headers.replaceOrAdd("Content-Length", String(response.body.count))
        }
        let clock = WallClock()
        clock.refresh()
        var line: [UInt8] = []
        pipeline.record(response, head: head, route: route, millis: monotonicMillis() - started,
                        nanos: monotonicNanos() &- startedNanos, shard: 0, requestId: requestId, client: client,
                        timestamp: clock.isoDate, log: &line)
        if !line.isEmpty { line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) } }
        if head?.method == "HEAD" || !ResponseHead.hasBody(response.status) { response.body = .empty }
        response.logUser = nil
        return response
    }
}
