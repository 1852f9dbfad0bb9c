import JSON

/// OpenAPI `links` from each create's 201 to the operations that address what it made, so a client — and
/// schemathesis's stateful phase — can follow a new object's token from the answer into its paths.
enum OpenAPILinks {
    /// Adds `links` to every 201 answer carrying a `token`.
    static func add(to paths: inout [(path: String, operations: JSONObject)]) {
        let all = paths.flatMap { entry in entry.operations.members.map { (path: entry.path, op: $0.value) } }
        for i in paths.indices {
            guard var create = paths[i].operations["post"]?.objectValue,
                  var responses = create["responses"]?.objectValue,
                  var created = responses["201"]?.objectValue else { continue }
            let source = paths[i].path
            var links = JSONObject()
            for target in all {
                guard let id = target.op["operationId"]?.stringValue,
                      let parameters = parameters(from: source, to: target.path) else { continue }
                links[id] = ["operationId": .string(id), "parameters": .object(parameters)]
            }
            guard !links.isEmpty else { continue }
            created["links"] = .object(links)
            responses["201"] = .object(created)
            create["responses"] = .object(responses)
            paths[i].operations["post"] = .object(create)
        }
    }

    /// How `target`'s path parameters come from a create at `source`: the new token names the object, the
    /// create's own path parameters carry over. nil when `target` does not address what `source` makes.
    static func parameters(from source: String, to target: String) -> JSONObject? {
        let names = target.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        var parameters = JSONObject()
        for name in names where source.contains("{\(name)}") { parameters[name] = .string("$request.path.\(name)") }
        let newToken: String?
        if target.hasPrefix(source), let next = target.dropFirst(source.count).split(separator: "/").first,
           next.hasPrefix("{") {
            newToken = String(next.dropFirst().dropLast())
        } else if source == "/channels/v1/" && names.contains("channel_token") {
            newToken = "channel_token"
        } else if let kind = ["/videos/": "video", "/musics/": "music"].first(where: { source.hasPrefix($0.key) }),
                  source.hasSuffix("{channel_token}/"), target.contains("/{ct}/{object_token}/") {
            parameters["ct"] = .string(kind.value)
            newToken = "object_token"
        } else {
            newToken = nil
        }
        guard let newToken else { return nil }
        parameters[newToken] = "$response.body#/token"
        return parameters.count == names.count ? parameters : nil
    }
}
