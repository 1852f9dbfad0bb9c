import Platform
import FoundationEssentials
import HTTP
import JSON

/// `GET /openapi.json` (OpenAPI 3.1, written from the route table and the handler layer's declarations),
/// `GET /docs` (that document rendered as HTML by the binary), its stylesheet and script, and `GET /` → `/docs`.
enum OpenAPIRoutes {
    static func register(on router: Router, catalog: RouteCatalog, version: String) {
        // Built on first request: every route is registered by then.
        let document = Lazy<JSONValue> { OpenAPIDocument.build(router.routes, catalog: catalog, version: version) }
        let json = Lazy<[UInt8]> { bytes(document.value) }
        let reference = Lazy<[UInt8]> { Array(DocsPage.render(document.value).utf8) }
        router.get("/openapi.json", summary: "This document (OpenAPI 3.1)", tags: ["system"]) { _ in
            Response.json(200, json.value)
        }
        router.get("/docs", summary: "The API reference: this document as HTML", tags: ["system"]) { _ in
            page(reference.value, type: "text/html; charset=utf-8")
        }
        let css = Array(DocsAssets.css.utf8), script = Array(DocsAssets.script.utf8)
        router.get("/docs/docs.css", summary: "The reference's stylesheet", tags: ["system"]) { _ in
            page(css, type: "text/css; charset=utf-8", cache: true)
        }
        router.get("/docs/docs.js", summary: "The reference's script (a filter box)", tags: ["system"]) { _ in
            page(script, type: "text/javascript; charset=utf-8", cache: true)
        }
        router.get("/", summary: "Redirects to /docs", tags: ["system"]) { _ in
            var h = HTTPHeaders()
            h.add("Location", "/docs")
            return Response(status: 302, headers: h, body: .empty)
        }
    }

    /// The document as `tsuna openapi` and `/openapi.json` give it.
    static func bytes(_ document: JSONValue) -> [UInt8] {
        var w = JSONWriter(capacity: 256 * 1024)
        w.value(document)
        return w.bytes
    }

    /// The reference and its files: nothing from another host, no framing.
    private static func page(_ body: [UInt8], type: String, cache: Bool = false) -> Response {
        var h = HTTPHeaders()
        h.add("Content-Type", type)
        h.add("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        h.add("X-Content-Type-Options", "nosniff")
        h.add("Referrer-Policy", "same-origin")
        if cache { h.add("Cache-Control", "public, max-age=86400") }
        return Response(status: 200, headers: h, body: .bytes(body))
    }
}

/// A value computed once, on first use, thread-safely.
final class Lazy<Value: Sendable>: Sendable {
    private let cached = Locked<Value?>(nil)
    private let make: @Sendable () -> Value
    init(_ make: @escaping @Sendable () -> Value) { self.make = make }
    var value: Value {
        cached.withLock { cached in
            if let cached { return cached }
            let v = make()
            cached = v
            return v
        }
    }
}
