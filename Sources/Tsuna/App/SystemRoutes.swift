import HTTP
import JSON
import Mail
import Security
import WriteBehind

/// Probes and operational endpoints: /healthz, /metrics.
enum SystemRoutes {
    static let healthBody = Array(#"{"status": "ok"}"#.utf8)

    static func register(on router: Router, app: Application) {
        router.get("/healthz", summary: "Liveness probe", tags: ["system"]) { _ in
            Response.json(200, healthBody)
        }
        let token = app.configuration.metricsToken.map { Array("Bearer \($0)".utf8) }
        let endpoint = MetricsEndpoint(metrics: app.metrics, server: app.server, services: app.services,
                                       mailSender: app.mailSender)
        router.get("/metrics", summary: "Prometheus metrics (loopback, or Bearer TSUNA_METRICS_TOKEN)",
                   tags: ["system"]) { request in
            guard MetricsAccess.allows(request, token: token) else { return HTTPWire.failureResponse(.notFound) }
            var h = HTTPHeaders()
            h.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return Response(status: 200, headers: h, body: .bytes(Array(await endpoint.render().utf8)))
        }
    }
}

/// `/media/…`: uploaded images and content files, straight from the media folder.
enum MediaRoutes {
    static func register(on router: Router, services: Services) {
        let files = StaticFiles(root: services.media.directory)
        router.get("/media/*path", summary: "Uploaded media files (Range, ETag, HEAD); private content files need a signature",
                   tags: ["media"]) { request in
            let raw = request.parameters["path"] ?? ""
            var response: Response
            switch try ContentMedia.access(relative: raw, expires: request.query("expires"),
                                           signature: request.query("signature"), services) {
            case .missing: return APIError.notFound.response
            case .forbidden: return APIError.forbidden("You do not have permission to perform this action.").response
            case .everyone: response = files.respond(to: request, rawPath: raw)
            case .signedPrivate:
                response = files.respond(to: request, rawPath: raw)
                response.headers.replaceOrAdd("Cache-Control", "private, max-age=3600")
            }
            // Uploads are sniffed on the way in; browsers must not guess another type on the way out.
            response.headers.replaceOrAdd("X-Content-Type-Options", "nosniff")
            return response
        }
    }
}

/// Who may read `/metrics` (SPEC 12): loopback clients, and others presenting `TSUNA_METRICS_TOKEN`; anyone
/// else is told the page does not exist. Behind a trusted proxy the forwarded client counts, not the proxy.
enum MetricsAccess {
    static let loopback = (try? TrustedProxies.parse("127.0.0.0/8, ::1, ::ffff:127.0.0.0/104")) ?? TrustedProxies()

    static func allows(_ request: Request, token: [UInt8]?) -> Bool {
        if loopback.contains(request.clientAddress) { return true }
        guard let token, let sent = request.headers["Authorization"] else { return false }
        return constantTimeEquals(Array(sent.utf8), token)
    }
}
