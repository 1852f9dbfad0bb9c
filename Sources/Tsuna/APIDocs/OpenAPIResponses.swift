import JSON

/// An operation's `responses`: what its route declares it answers, and what the handler layer answers for it
/// (401 on every API route; the 403 of its access and rule; the 404 of the objects its path names; 400, 413
/// and 415 of its body; 429 of its throttle; 503).
enum OpenAPIResponses {
    static let headers: JSONValue = [
        "RequestId": ["description": "The client's X-Request-Id when it is a sane token, else a new UUID.",
                      "required": true, "schema": ["type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"]],
        "RetryAfter": ["description": "Seconds to wait.", "required": true, "schema": ["type": "string", "pattern": "^[0-9]+$"]],
        "WWWAuthenticate": ["description": "Bearer realm=\"api\"", "required": true, "schema": ["type": "string"]],
    ]

    /// One status of an operation, gathered from several answers.
    struct Entry {
        var about: [String] = []
        var schemas: [APISchema] = []
        var html = false
        var page = false
        var empty = false
        var headers: [String] = ["RequestId"]
    }

    static func responses(_ doc: RouteDoc) -> JSONValue {
        var entries: [Int: Entry] = [:]
        func add(_ status: Int, _ schema: APISchema?, _ about: String, header: String? = nil) {
            var e = entries[status] ?? Entry()
            if !about.isEmpty && !e.about.contains(about) { e.about.append(about) }
            if let schema, !e.schemas.contains(schema) { e.schemas.append(schema) }
            if schema == nil { e.empty = true }
            if let header, !e.headers.contains(header) { e.headers.append(header) }
            entries[status] = e
        }
        for answer in doc.answers {
            switch answer.body {
            case .none: add(answer.status, nil, answer.about)
            case .json(let s): add(answer.status, s, answer.about)
            case .page(let s): add(answer.status, s, answer.about); entries[answer.status]?.page = true
            case .jsonOrHTML(let s): add(answer.status, s, answer.about); entries[answer.status]?.html = true
            }
        }
        switch doc.access {
        case .signedIn:
            add(401, .unauthorized, "“Authentication credentials were not provided.”, or “Given token not valid for any token type” (code token_not_valid) for a bad, expired or revoked token",
                header: "WWWAuthenticate")
        case .anonymousOnly, .anyone:
            add(401, .unauthorized, "“Given token not valid for any token type” when a bad token is sent (none is needed)",
                header: "WWWAuthenticate")
        }
        if doc.access == .anonymousOnly { add(403, .detail, "“Authenticated users are not allowed to access this view”") }
        for refusal in doc.ruleRefusals { add(403, .detail, "“\(refusal)”") }
        if doc.pattern.contains("/:") {
            add(404, .detail, "“Not found.”: a token in the path names nothing")
            if doc.pattern.contains("/:ct/") { add(404, .detail, "“Content type not found.”") }
        }
        if doc.body.readsBody {
            add(400, .fieldErrors, "Refused fields: {field: [messages]}")
            add(400, .detail, "“JSON parse error - …” or a malformed form")
            add(413, .detail, "The body is over its limit")
            add(415, .detail, "“Unsupported media type … in request.”")
        }
        if doc.throttled { add(429, .detail, "“Request was throttled. Expected available in N seconds.”", header: "RetryAfter") }
        add(503, .detail, "The disk is full or read-only, password hashing is at capacity, or the server is at its connection limit; nothing was changed")
        var out = JSONObject()
        for status in entries.keys.sorted() {
            out[String(status)] = response(entries[status]!)
        }
        return .object(out)
    }

    static func response(_ e: Entry) -> JSONValue {
        var r = JSONObject()
        r["description"] = .string(e.about.isEmpty ? "OK" : e.about.joined(separator: "; "))
        r["headers"] = .object(JSONObject(e.headers.map { name in
            (key: name == "RequestId" ? "X-Request-Id" : name == "RetryAfter" ? "Retry-After" : "WWW-Authenticate",
             value: ["$ref": .string("#/components/headers/\(name)")])
        }))
        if !e.schemas.isEmpty {
            var schemas = e.schemas.map(OpenAPISchemas.ref)
            if e.page, let items = schemas.first { schemas = [page(items)] }
            var content = JSONObject()
            content["application/json"] = ["schema": schemas.count == 1 ? schemas[0] : ["anyOf": .array(schemas)]]
            if e.html { content["text/html"] = ["schema": ["type": "string"]] }
            r["content"] = .object(content)
        }
        return .object(r)
    }

    /// SPEC's list envelope around `items`.
    static func page(_ items: JSONValue) -> JSONValue {
        OpenAPISchemas.object([
            ("count", OpenAPISchemas.count),
            ("next", ["type": ["string", "null"], "format": "uri"]),
            ("previous", ["type": ["string", "null"], "format": "uri"]),
            ("results", ["type": "array", "items": items]),
        ])
    }
}
