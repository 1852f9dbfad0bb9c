import HTTP

/// Probes and operational endpoints: /healthz, /metrics.
enum SystemRoutes {
    static let healthBody = Array(#"{"status": "ok"}"#.utf8)

    static func register(on router: Router, app: Application) {
        router.get("/healthz", summary: "Liveness probe", tags: ["system"]) { _ in
            Response.json(200, healthBody)
        }
        router.get("/metrics", summary: "Prometheus metrics", tags: ["system"]) { [metrics = app.metrics] _ in
            var h = HTTPHeaders()
            h.add("Content-Type", "text/plain; version=0.0.4")
            return Response(status: 200, headers: h, body: .bytes(Array(metrics.render().utf8)))
        }
    }
}

/// `/media/…`: uploaded images and content files, straight from the media folder.
enum MediaRoutes {
    static func register(on router: Router, directory: String) {
        let files = StaticFiles(root: directory)
        router.get("/media/*path", summary: "Uploaded media files (Range, ETag, HEAD)", tags: ["media"]) { request in
            files.respond(to: request, rawPath: request.parameters["path"] ?? "")
        }
    }
}
