import HTTP
import JSON

/// `GET /openapi.json`: OpenAPI 3.1 written from the router's table and the handler layer's catalog (who may
/// call, the body's fields, the answers), so the document cannot drift from the routes.
enum OpenAPIDocument {
    /// The panel's pages are a browser UI with its own sign-in and CSRF, not part of the API.
    static func isDocumented(_ route: RouteInfo) -> Bool { !route.pattern.hasPrefix("/admin/") }

    static func build(_ routes: [RouteInfo], catalog: RouteCatalog, version: String) -> JSONValue {
        var paths: [(path: String, operations: JSONObject)] = []
        for route in routes where isDocumented(route) {
            let path = openAPIPath(route.pattern)
            let operation = catalog.doc(method: route.method, pattern: route.pattern).map { apiOperation(route, $0) }
                ?? OpenAPISystemRoutes.operation(route)
            if let i = paths.firstIndex(where: { $0.path == path }) {
                paths[i].operations[route.method.lowercased()] = operation
            } else {
                paths.append((path, JSONObject([(key: route.method.lowercased(), value: operation)])))
            }
        }
        OpenAPILinks.add(to: &paths)
        return [
            "openapi": "3.1.0",
            "info": ["title": "Tsuna Streaming API", "version": .string(version), "description": .string(description)],
            "tags": .array(tags(routes)),
            "paths": .object(JSONObject(paths.map { (key: $0.path, value: .object($0.operations)) })),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                               "description": "An access token from POST /accounts/v1/login/."]],
                "schemas": OpenAPISchemas.components,
                "headers": OpenAPIResponses.headers,
            ],
        ]
    }

    static let description = """
        Channels, videos, music, memberships, votes, comments and views. Every path also answers without its \
        trailing slash. Signed-in routes take `Authorization: Bearer <access token>`; a bad token is a 401 on every \
        API route, the open ones included. Request bodies are JSON, url-encoded forms or multipart forms (the only \
        way to send files); unknown and read-only fields are ignored; text is trimmed of surrounding whitespace and \
        its length counted in Unicode code points. Lists take `?limit=` (default 15, at most 100) and `?offset=` and \
        answer `{count, next, previous, results}`; follow `next` and `previous` as given. A method a path does not \
        offer answers 405 with `Allow`; an unknown path 404 `{"detail": "Page not found."}`; a header block over the \
        limit 431. Every answer carries `X-Request-Id`.
        """

    /// `:name` and `*name` → `{name}`.
    static func openAPIPath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            if seg.hasPrefix(":") || seg.hasPrefix("*") { return "{\(seg.dropFirst())}" }
            return String(seg)
        }.joined(separator: "/")
    }

    static func operationId(_ method: String, _ pattern: String) -> String {
        let words = openAPIPath(pattern).split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return ([method.lowercased()] + words.map(String.init)).joined(separator: "_")
    }

    private static func tags(_ routes: [RouteInfo]) -> [JSONValue] {
        var seen: [String] = []
        for r in routes where isDocumented(r) { for t in r.tags where !seen.contains(t) { seen.append(t) } }
        // The API's features first, in the order they register; probes, media and these documents after them.
        let system = ["system", "media"]
        return (seen.filter { !system.contains($0) } + seen.filter(system.contains)).map { ["name": .string($0)] }
    }

    private static func apiOperation(_ route: RouteInfo, _ doc: RouteDoc) -> JSONValue {
        var op = JSONObject()
        op["summary"] = .string(route.summary)
        op["description"] = .string("Who may call: \(who(doc)).")
        op["operationId"] = .string(operationId(route.method, route.pattern))
        op["tags"] = .array(route.tags.map(JSONValue.string))
        let parameters = OpenAPIParameters.path(route.pattern) + OpenAPIParameters.query(doc)
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if doc.access == .signedIn { op["security"] = [["bearer": []]] }
        if let body = OpenAPIBodies.requestBody(doc.body, method: route.method) { op["requestBody"] = body }
        op["responses"] = OpenAPIResponses.responses(doc)
        return .object(op)
    }

    /// Who may call, in words: the access, narrowed by the rule.
    static func who(_ doc: RouteDoc) -> String {
        switch doc.access {
        case .anonymousOnly: return "anonymous callers only (a signed-in caller gets 403)"
        case .anyone: return "anyone"
        case .signedIn: return doc.rule.map { "signed-in users: \($0)" } ?? "signed-in users"
        }
    }
}

/// Path and query parameters.
enum OpenAPIParameters {
    static func path(_ pattern: String) -> [JSONValue] {
        pattern.split(separator: "/").compactMap { seg -> JSONValue? in
            guard seg.hasPrefix(":") else { return nil }
            let name = String(seg.dropFirst())
            if name == "ct" {
                return ["name": "ct", "in": "path", "required": true,
                        "description": "The content type: video or 1, music or 2; anything else → 404 “Content type not found.”",
                        "schema": ["type": "string", "enum": ["video", "music", "1", "2"]]]
            }
            return ["name": .string(name), "in": "path", "required": true,
                    "description": "A token (UUID); one that names nothing, or is not a UUID → 404.",
                    "schema": OpenAPISchemas.uuid]
        }
    }

    static func query(_ doc: RouteDoc) -> [JSONValue] {
        // Every list pages the same way (`Page`); filters are the route's own.
        guard doc.answers.contains(where: { if case .page = $0.body { true } else { false } }) else {
            return doc.query.map(filter)
        }
        let parameters: [JSONValue] = [
            // Like the original's paginator, out-of-range values are taken in, not refused.
            ["name": "limit", "in": "query", "required": false,
             "description": "Rows per page, at most 100 (more counts as 100); absent, zero, negative or malformed: 15.",
             "schema": ["type": ["integer", "string"], "default": 15]],
            ["name": "offset", "in": "query", "required": false,
             "description": "Rows to skip; absent, negative or malformed: 0.",
             "schema": ["type": ["integer", "string"], "default": 0]],
            ["name": "cursor", "in": "query", "required": false,
             "description": "A position key the server puts in `next` and `previous` so that following them costs the same at any depth; opaque to clients (one it cannot read is ignored).",
             "schema": ["type": "string"]],
        ]
        return parameters + doc.query.map(filter)
    }

    /// A filter is matched as sent: any text is valid (one that matches nothing gives an empty page).
    private static func filter(_ field: BodyField) -> JSONValue {
        var schema: JSONValue = ["type": "string"]
        if case .boolean = field.kind { schema = ["type": "boolean", "default": false] }
        return ["name": .string(field.name), "in": "query", "required": false,
                "description": .string(field.about ?? ""), "schema": schema]
    }
}
