import HTTP
import JSON

/// The operations of the routes registered on the router directly (probes, media, the documentation): they
/// have no handler-layer declaration, so they are described here, by method and pattern.
enum OpenAPISystemRoutes {
    /// The media types `/media/` serves, by file extension.
    static let mediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "video/quicktime",
                             "video/webm", "video/x-matroska", "video/ogg", "audio/ogg", "audio/mpeg", "audio/aac",
                             "audio/flac", "audio/wav", "audio/mp4", "application/octet-stream"]

    static func operation(_ route: RouteInfo) -> JSONValue {
        var op = JSONObject()
        op["summary"] = .string(route.summary)
        op["description"] = .string("Who may call: \(who(route.pattern)).")
        op["operationId"] = .string(OpenAPIDocument.operationId(route.method, route.pattern))
        op["tags"] = .array(route.tags.map(JSONValue.string))
        if route.pattern == "/media/*path" { op["parameters"] = mediaParameters }
        op["responses"] = .object(JSONObject(responses(route).map { (key: String($0.status), value: $0.body) }))
        return .object(op)
    }

    private static func who(_ pattern: String) -> String {
        switch pattern {
        case "/metrics": return "loopback callers, or any caller with `Authorization: Bearer <TSUNA_METRICS_TOKEN>` when that is set (others get 404)"
        case "/media/*path": return "anyone; a private item's file needs the signature of its URL (the Authorization header is ignored)"
        default: return "anyone (the Authorization header is ignored)"
        }
    }

    private static func responses(_ route: RouteInfo) -> [(status: Int, body: JSONValue)] {
        let busy = (503, answer("The server is at its connection limit.", json: .detail))
        switch route.pattern {
        case "/healthz": return [(200, answer("Serving.", json: .health)), busy]
        case "/metrics":
            return [(200, answer("Prometheus text: requests by route and status, latency histogram, cache sizes, flush timings, outbox depth.",
                                 content: ["text/plain": ["schema": ["type": "string"]]])),
                    (404, answer("“Page not found.”: the caller may not read the metrics.", json: .detail)), busy]
        case "/openapi.json":
            return [(200, answer("This document.", content: ["application/json": ["schema": ["type": "object"]]])), busy]
        case "/":
            return [(302, answer("Redirects to /docs.", headers: ["Location": ["required": true, "schema": ["type": "string", "enum": ["/docs"]]]])),
                    busy]
        case "/media/*path": return media + [busy]
        default:
            // The documentation's page and its stylesheet and script.
            let type = route.pattern.hasSuffix(".css") ? "text/css" : route.pattern.hasSuffix(".js") ? "text/javascript" : "text/html"
            let content = JSONValue.object(JSONObject([(key: type, value: ["schema": ["type": "string"]])]))
            return [(200, answer("The \(type == "text/html" ? "page" : "file").", content: content)), busy]
        }
    }

    private static var media: [(status: Int, body: JSONValue)] {
        let file: JSONValue = ["schema": ["type": "string", "format": "binary"]]
        let content = JSONValue.object(JSONObject(mediaTypes.map { (key: $0, value: file) }))
        let validators: JSONValue = ["ETag": ["required": true, "schema": ["type": "string"]],
                                     "Last-Modified": ["required": true, "schema": ["type": "string"]]]
        var partial = validators.objectValue ?? JSONObject()
        partial["Content-Range"] = ["required": true, "schema": ["type": "string", "pattern": "^bytes [0-9]+-[0-9]+/[0-9]+$"]]
        return [
            (200, answer("The file, with the Content-Type of its extension.", content: content, headers: validators)),
            (206, answer("One range of the file (Range: bytes=a-b).", content: content, headers: .object(partial))),
            (304, answer("Not modified (If-None-Match, If-Modified-Since).", headers: validators)),
            (403, answer("“You do not have permission to perform this action.”: a private item's file without a valid signature.", json: .detail)),
            (404, answer("“Not found.”: no such file (or a path leaving the media folder).", json: .detail)),
            (416, answer("“Requested range not satisfiable.”", json: .detail)),
        ]
    }

    private static let mediaParameters: JSONValue = [
        ["name": "path", "in": "path", "required": true, "description": "The file's path under the media folder, as in the URLs the API gives.",
         "schema": ["type": "string"]],
        ["name": "expires", "in": "query", "required": false, "description": "A private file's URL: when its signature expires (Unix seconds).",
         "schema": ["type": "string"]],
        ["name": "signature", "in": "query", "required": false, "description": "A private file's URL: HMAC of the path and expiry.",
         "schema": ["type": "string"]],
    ]

    private static func answer(_ about: String, json schema: APISchema? = nil, content: JSONValue? = nil,
                               headers: JSONValue = [:]) -> JSONValue {
        var r = JSONObject()
        r["description"] = .string(about)
        var all = JSONObject([(key: "X-Request-Id", value: ["$ref": "#/components/headers/RequestId"])])
        for (k, v) in headers.objectValue?.members ?? [] { all[k] = v }
        r["headers"] = .object(all)
        if let schema { r["content"] = ["application/json": ["schema": OpenAPISchemas.ref(schema)]] }
        if let content { r["content"] = content }
        return .object(r)
    }
}
