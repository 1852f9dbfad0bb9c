import Foundation
import HTTP
import JSON
import Synchronization

/// `GET /openapi.json` (OpenAPI 3.1), generated from the router's table so it cannot drift from the routes,
/// `GET /docs` (Swagger UI) and `GET /` → `/docs`.
enum OpenAPIRoutes {
    static func register(on router: Router, catalog: RouteCatalog, version: String) {
        // Built lazily on first request: every route is registered by then.
        let document = LazyBytes { build(router.routes, catalog: catalog, version: version) }
        router.get("/openapi.json", summary: "This document", tags: ["system"]) { _ in
            Response.json(200, document.value)
        }
        router.get("/docs", summary: "Swagger UI", tags: ["system"]) { _ in
            var h = HTTPHeaders()
            h.add("Content-Type", "text/html; charset=utf-8")
            return Response(status: 200, headers: h, body: .bytes(Array(swaggerPage.utf8)))
        }
        router.get("/", summary: "Redirects to /docs", tags: ["system"]) { _ in
            var h = HTTPHeaders()
            h.add("Location", "/docs")
            return Response(status: 302, headers: h, body: .empty)
        }
    }

    static let swaggerPage = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Tsuna API</title>
    <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
    <body><div id="ui"></div>
    <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
    <script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script>
    <noscript>The API description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
    </body></html>
    """

    static func build(_ routes: [RouteInfo], catalog: RouteCatalog, version: String) -> [UInt8] {
        var byPath: [(path: String, routes: [RouteInfo])] = []
        for r in routes {
            let path = openAPIPath(r.pattern)
            if let i = byPath.firstIndex(where: { $0.path == path }) { byPath[i].routes.append(r) } else { byPath.append((path, [r])) }
        }
        var w = JSONWriter(capacity: 64 * 1024)
        w.beginObject()
        w.key("openapi"); w.string("3.1.0")
        w.key("info"); w.beginObject()
        w.key("title"); w.string("Tsuna Streaming API")
        w.key("version"); w.string(version)
        w.key("description"); w.string("""
            Channels, videos, music, memberships, votes, comments and views. Every path also answers without its \
            trailing slash. Errors: 400 {field: [messages]} or {"detail": …}; 401/403/404/405/413/415/429 {"detail": …}. \
            Lists take ?limit= (default 15, max 100) and ?offset= and answer {count, next, previous, results}.
            """)
        w.endObject()
        w.key("components"); components(&w)
        w.key("paths"); w.beginObject()
        for (path, group) in byPath {
            w.key(path); w.beginObject()
            for r in group {
                w.key(r.method.lowercased()); operation(&w, r, catalog.doc(method: r.method, pattern: r.pattern))
            }
            w.endObject()
        }
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private static func openAPIPath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            if seg.hasPrefix(":") || seg.hasPrefix("*") { return "{\(seg.dropFirst())}" }
            return String(seg)
        }.joined(separator: "/")
    }

    private static func operation(_ w: inout JSONWriter, _ r: RouteInfo, _ doc: RouteDoc?) {
        w.beginObject()
        w.key("summary"); w.string(r.summary)
        w.key("operationId"); w.string(r.method.lowercased() + openAPIPath(r.pattern).map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined())
        w.key("tags"); w.beginArray(); for t in r.tags { w.string(t) }; w.endArray()
        let params = r.pattern.split(separator: "/").filter { $0.hasPrefix(":") || $0.hasPrefix("*") }
        if !params.isEmpty {
            w.key("parameters"); w.beginArray()
            for p in params {
                w.beginObject()
                w.key("name"); w.string(String(p.dropFirst()))
                w.key("in"); w.string("path")
                w.key("required"); w.bool(true)
                w.key("schema"); w.beginObject(); w.key("type"); w.string("string"); w.endObject()
                w.endObject()
            }
            w.endArray()
        }
        let open = doc.map { $0.access != .signedIn } ?? true
        if !open {
            w.key("security"); w.beginArray(); w.beginObject(); w.key("bearer"); w.beginArray(); w.endArray(); w.endObject(); w.endArray()
        }
        if ["POST", "PUT", "PATCH"].contains(r.method) {
            w.key("requestBody"); w.beginObject()
            w.key("content"); w.beginObject()
            for type in ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"] {
                w.key(type); w.beginObject(); w.key("schema"); w.beginObject(); w.key("type"); w.string("object"); w.endObject(); w.endObject()
            }
            w.endObject()
            w.endObject()
        }
        w.key("responses"); w.beginObject()
        if let (schema, paginated) = OpenAPISchemas.success(r.method, r.pattern) {
            let status = r.method == "POST" ? (r.pattern.hasSuffix("login/") || r.pattern.hasSuffix("refresh/") ? "200" : "201") : "200"
            w.key(status); w.beginObject()
            w.key("description"); w.string(paginated ? "A page of \(schema) objects" : schema)
            w.key("content"); w.beginObject(); w.key("application/json"); w.beginObject(); w.key("schema")
            if paginated {
                w.beginObject()
                w.key("allOf"); w.beginArray()
                ref(&w, "Paginated")
                w.beginObject(); w.key("properties"); w.beginObject(); w.key("results"); w.beginObject()
                w.key("type"); w.string("array"); w.key("items"); ref(&w, schema)
                w.endObject(); w.endObject(); w.endObject()
                w.endArray()
                w.endObject()
            } else {
                ref(&w, schema)
            }
            w.endObject(); w.endObject()
            w.endObject()
        }
        if r.method == "DELETE" {
            w.key("204"); w.beginObject(); w.key("description"); w.string("Deleted"); w.endObject()
        }
        if !open {
            w.key("400"); w.beginObject(); w.key("description"); w.string("Validation error")
            w.key("content"); w.beginObject(); w.key("application/json"); w.beginObject(); w.key("schema"); ref(&w, "ValidationError")
            w.endObject(); w.endObject(); w.endObject()
            for (code, text) in [("401", "Not authenticated or bad token"), ("403", "Not allowed"), ("404", "Not found")] {
                w.key(code); w.beginObject(); w.key("description"); w.string(text)
                w.key("content"); w.beginObject(); w.key("application/json"); w.beginObject(); w.key("schema"); ref(&w, "Detail")
                w.endObject(); w.endObject(); w.endObject()
            }
        }
        w.key("default"); w.beginObject()
        w.key("description"); w.string("Other errors: {\"detail\": …}")
        w.key("content"); w.beginObject()
        w.key("application/json"); w.beginObject(); w.key("schema"); ref(&w, "Detail"); w.endObject()
        w.endObject()
        w.endObject()
        w.endObject()
        w.endObject()
    }

    private static func ref(_ w: inout JSONWriter, _ name: String) {
        w.beginObject(); w.key("$ref"); w.string("#/components/schemas/\(name)"); w.endObject()
    }

    private static func components(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("securitySchemes"); w.beginObject()
        w.key("bearer"); w.beginObject()
        w.key("type"); w.string("http"); w.key("scheme"); w.string("bearer"); w.key("bearerFormat"); w.string("JWT")
        w.endObject()
        w.endObject()
        w.key("schemas")
        // Parsed once at build time of the document; a typo here fails the OpenAPI test, not a request.
        if let schemas = try? JSONParser.parse(Array(OpenAPISchemas.components.utf8)) { w.value(schemas) } else { w.beginObject(); w.endObject() }
        w.endObject()
    }
}

/// A value computed once, on first use, thread-safely.
final class LazyBytes: Sendable {
    private let cached = Mutex<[UInt8]?>(nil)
    private let make: @Sendable () -> [UInt8]
    init(_ make: @escaping @Sendable () -> [UInt8]) { self.make = make }
    var value: [UInt8] {
        cached.withLock { cached in
            if let cached { return cached }
            let v = make()
            cached = v
            return v
        }
    }
}
