import JSON

/// A route's `requestBody`, written from the `BodyField`s its handler validates with.
enum OpenAPIBodies {
    static func requestBody(_ spec: BodySpec, method: String) -> JSONValue? {
        guard spec.readsBody, !spec.fields.isEmpty else { return nil }
        // PATCH requires nothing; a create and PUT require what their fields say.
        let partial = method == "PATCH"
        let plain = spec.fields.filter { !$0.isFile }
        let hasObject = spec.fields.contains { if case .object = $0.kind { return true } else { return false } }
        // A required file (an upload's create) can only come in multipart/form-data: offering JSON or a plain
        // form would document bodies that are always refused with "file: This field is required.".
        let needsFile = !partial && spec.fields.contains { $0.isFile && $0.required }
        var content = JSONObject()
        if !needsFile { content["application/json"] = ["schema": schema(plain, partial: partial)] }
        // A form carries text and files only: a nested object can be sent as JSON alone.
        if !hasObject {
            if !needsFile { content["application/x-www-form-urlencoded"] = ["schema": schema(plain, partial: partial)] }
            var multipart = JSONObject([(key: "schema", value: schema(spec.fields, partial: partial))])
            let files = spec.fields.compactMap { field -> (key: String, value: JSONValue)? in
                guard case .file(let types, _) = field.kind else { return nil }
                return (field.name, ["contentType": .string(types.joined(separator: ", "))])
            }
            if !files.isEmpty { multipart["encoding"] = .object(JSONObject(files)) }
            content["multipart/form-data"] = .object(multipart)
        }
        var body = JSONObject([(key: "content", value: .object(content))])
        let required = !partial && spec.fields.contains(where: \.required)
        body["required"] = .bool(required)
        if needsFile {
            body["description"] = "multipart/form-data only: the file is required, and only a multipart body carries files."
        } else if spec.fields.contains(where: \.isFile) {
            body["description"] = "Files only in multipart/form-data, which carries the other fields too."
        }
        return .object(body)
    }

    static func schema(_ fields: [BodyField], partial: Bool) -> JSONValue {
        var schema = JSONObject([(key: "type", value: "object")])
        let required = partial ? [] : fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { schema["required"] = .array(required) }
        schema["properties"] = .object(JSONObject(fields.map { (key: $0.name, value: property($0)) }))
        return .object(schema)
    }

    static func property(_ field: BodyField) -> JSONValue {
        var p = JSONObject()
        switch field.kind {
        case let .text(maxLength, blank):
            // A number is taken as its text, as the original did; `blank` fields take "" and null as "not given".
            if blank {
                p["type"] = ["string", "number", "null"]
            } else {
                p["type"] = ["string", "number"]
                p["minLength"] = 1
                // Surrounding whitespace is trimmed: a value of spaces alone is blank.
                p["pattern"] = "\\S"
            }
            p["maxLength"] = .number(JSONNumber(maxLength))
        case .email(let maxLength):
            p["type"] = "string"
            p["format"] = "email"
            p["maxLength"] = .number(JSONNumber(maxLength))
        case .newPassword:
            p["type"] = "string"
            p["minLength"] = 8
            p["maxLength"] = .number(JSONNumber(Validator.defaultMaxLength))
            p["pattern"] = "[^0-9\\s]"
        case let .integer(min, max):
            p["type"] = "integer"
            p["minimum"] = .number(JSONNumber(min))
            p["maximum"] = .number(JSONNumber(max))
        case .boolean:
            p["type"] = "boolean"
        case .choice(let choices):
            p["type"] = "string"
            p["enum"] = .array(choices.map(JSONValue.string))
        case .token:
            p["type"] = "string"
            p["format"] = "uuid"
        case .file:
            p["type"] = "string"
            p["format"] = "binary"
        case .object(let fields):
            return .object(merge(schema(fields, partial: true), about: field.about))
        }
        if let value = field.defaultValue {
            switch value {
            case .text(let t): p["default"] = .string(t)
            case .integer(let n): p["default"] = .number(JSONNumber(n))
            case .boolean(let b): p["default"] = .bool(b)
            }
        }
        if let about = field.about { p["description"] = .string(about) }
        return .object(p)
    }

    private static func merge(_ schema: JSONValue, about: String?) -> JSONObject {
        var object = schema.objectValue ?? JSONObject()
        if let about { object["description"] = .string(about) }
        return object
    }
}
