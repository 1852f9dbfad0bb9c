import JSON

/// `GET /docs`: the OpenAPI document rendered on the server as one HTML page — endpoints grouped by tag, each
/// with its method, path, summary, who may call, parameters, body fields and responses, then the schemas. It
/// reads fully without script; `docs.js` only adds a filter box. Nothing comes from another host.
enum DocsPage {
    static func render(_ document: JSONValue) -> String {
        let info = document["info"]
        let title = info?["title"]?.stringValue ?? "API"
        let version = info?["version"]?.stringValue ?? ""
        let operations = collect(document)
        let tags = (document["tags"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <link rel="stylesheet" href="\(DocsAssets.stylesheetPath)">
        <script src="\(DocsAssets.scriptPath)" defer></script>
        </head><body>
        <header><h1>\(e(title)) <small>\(e(version))</small></h1>
        <p>Rendered from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1), also printed by <code>tsuna openapi</code>.</p>
        </header>
        <div class="layout"><nav aria-label="Sections"><ul>
        """
        for tag in tags { html += "<li><a href=\"#tag-\(anchor(tag))\">\(e(tag))</a></li>" }
        html += "<li><a href=\"#schemas\">schemas</a></li></ul></nav>\n<main>\n"
        html += "<section class=\"intro\">\(DocsText.inline(info?["description"]?.stringValue ?? ""))</section>\n"
        html += "<p class=\"filter\" hidden><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"path, method or words\"></label></p>\n"
        for tag in tags {
            html += "<section class=\"tag\" id=\"tag-\(anchor(tag))\"><h2>\(e(tag))</h2>\n"
            for op in operations where op.tags.contains(tag) { html += operation(op) }
            html += "</section>\n"
        }
        html += schemas(document["components"]?["schemas"]?.objectValue ?? JSONObject())
        html += "</main></div></body></html>\n"
        return html
    }

    struct Operation {
        let method: String
        let path: String
        let tags: [String]
        let value: JSONValue
    }

    static func collect(_ document: JSONValue) -> [Operation] {
        var out: [Operation] = []
        for (path, item) in document["paths"]?.objectValue?.members ?? [] {
            for (method, op) in item.objectValue?.members ?? [] {
                out.append(Operation(method: method.uppercased(), path: path,
                                     tags: (op["tags"]?.arrayValue ?? []).compactMap(\.stringValue), value: op))
            }
        }
        return out
    }

    private static func operation(_ op: Operation) -> String {
        let v = op.value
        let id = v["operationId"]?.stringValue ?? anchor(op.method + op.path)
        let signedIn = v["security"] != nil
        var html = """
        <article class="op" id="\(e(id))">
        <h3><span class="method \(op.method.lowercased())">\(op.method)</span> <code class="path">\(e(op.path))</code></h3>
        <p class="summary">\(e(v["summary"]?.stringValue ?? ""))</p>
        <p class="who">\(DocsText.inline(v["description"]?.stringValue ?? ""))
        \(signedIn ? "<span class=\"badge\">Bearer token</span>" : "<span class=\"badge open\">no token needed</span>")</p>
        """
        if let parameters = v["parameters"]?.arrayValue, !parameters.isEmpty {
            html += "<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>about</th></tr></thead><tbody>"
            for p in parameters {
                let schema = p["schema"] ?? [:]
                html += "<tr><td><code>\(e(p["name"]?.stringValue ?? ""))</code></td><td>\(e(p["in"]?.stringValue ?? ""))</td>"
                html += "<td>\(DocsText.type(schema))\(DocsText.limits(schema))</td><td>\(DocsText.inline(p["description"]?.stringValue ?? ""))</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        if let body = v["requestBody"] { html += requestBody(body) }
        html += "<h4>Responses</h4><dl class=\"responses\">"
        for (status, response) in v["responses"]?.objectValue?.members ?? [] {
            let kind = status.first.map { "s\($0)xx" } ?? ""
            html += "<dt class=\"\(kind)\">\(e(status))</dt><dd>\(DocsText.inline(response["description"]?.stringValue ?? ""))"
            for (type, media) in response["content"]?.objectValue?.members ?? [] {
                html += "<br><span class=\"media\">\(e(type))</span> \(DocsText.type(media["schema"] ?? [:]))"
            }
            html += "</dd>"
        }
        html += "</dl>\n</article>\n"
        return html
    }

    private static func requestBody(_ body: JSONValue) -> String {
        let content = body["content"]?.objectValue ?? JSONObject()
        let required = body["required"]?.boolValue == true
        var html = "<h4>Body\(required ? "" : " (optional)")</h4><p class=\"encodings\">"
        html += content.keys.map { "<span class=\"media\">\(e($0))</span>" }.joined(separator: " ")
        if let about = body["description"]?.stringValue { html += " — \(e(about))" }
        html += "</p>"
        // The multipart schema is the fullest (it has the files too).
        let schema = content["multipart/form-data"]?["schema"] ?? content["application/json"]?["schema"] ?? [:]
        html += fields(schema)
        return html
    }

    /// A table of an object schema's properties.
    static func fields(_ schema: JSONValue) -> String {
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var html = "<table><thead><tr><th>field</th><th>type</th><th>limits</th><th>about</th></tr></thead><tbody>"
        for (name, p) in schema["properties"]?.objectValue?.members ?? [] {
            html += "<tr><td><code>\(e(name))</code>\(required.contains(name) ? " <span class=\"req\">required</span>" : "")</td>"
            html += "<td>\(DocsText.type(p))</td><td>\(DocsText.limits(p))</td>"
            var about = DocsText.inline(p["description"]?.stringValue ?? "")
            if let nested = p["properties"]?.objectValue, !nested.isEmpty { about += fields(p) }
            html += "<td>\(about)</td></tr>"
        }
        return html + "</tbody></table>\n"
    }

    private static func schemas(_ all: JSONObject) -> String {
        var html = "<section class=\"tag\" id=\"schemas\"><h2>schemas</h2>\n"
        for (name, schema) in all.members {
            html += "<article class=\"op schema\" id=\"schema-\(e(name))\"><h3><code>\(e(name))</code></h3>"
            if let about = schema["description"]?.stringValue { html += "<p>\(DocsText.inline(about))</p>" }
            if schema["properties"] != nil {
                html += fields(schema)
            } else {
                html += "<p>\(DocsText.type(schema))</p>"
            }
            html += "</article>\n"
        }
        return html + "</section>\n"
    }

    static func anchor(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    private static func e(_ s: String) -> String { HTML.escape(s) }
}
