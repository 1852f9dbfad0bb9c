import HTTP
import JSON

/// A request's fields, whatever the body's encoding: JSON object, url-encoded form or multipart form.
/// Plain form fields arrive as JSON strings, so validation treats every encoding alike.
struct Input: Sendable {
    private(set) var fields: [String: JSONValue] = [:]
    private(set) var files: [String: MultipartFile] = [:]
    /// The fields the route declared (nil when the input did not come from a route's body): a handler reading
    /// a field its route does not declare is a programming error the tests catch, since the document would
    /// not show it.
    private(set) var declared: BodySpec?

    subscript(name: String) -> JSONValue? { fields[name] }
    func file(_ name: String) -> MultipartFile? { files[name] }
    /// True when the field was sent at all (as a value or a file).
    func has(_ name: String) -> Bool { fields[name] != nil || files[name] != nil }

    /// A nested JSON object validated like a body (e.g. channel admin `permissions`).
    init(object: JSONObject) {
        for (k, v) in object.members { fields[k] = v }
    }

    init() {}

    /// Reads the route's body and runs `then` with its fields. A large (spilled) body is parsed, and its
    /// handler run, on the shared pool: moving megabytes of upload never happens on an event loop.
    /// The body is read only now, after the caller, the objects and the rule passed: a request refused from its
    /// head never makes the server read (or spool) what it sends. Reading errors (413, a stalled body) are the
    /// server's to answer, and close the connection.
    static func read(_ request: Request, _ spec: BodySpec, _ services: Services,
                     then: @Sendable (Input) async throws -> Response) async throws -> Response {
        guard spec.readsBody else { return try await then(Input()) }
        let temporary = services.configuration.temporaryDirectory
        let body = try await request.body()
        if case .file = body {
            return try await withTaskExecutorPreference(globalConcurrentExecutor) {
                var input = try parse(request, body, maxFileBytes: spec.maxFileBytes, temporaryDirectory: temporary)
                input.declared = spec
                return try await then(input)
            }
        }
        var input = try parse(request, body, maxFileBytes: spec.maxFileBytes, temporaryDirectory: temporary)
        input.declared = spec
        return try await then(input)
    }

    /// Malformed JSON → 400 "JSON parse error - …"; an unsupported content type → 415.
    static func parse(_ request: Request, _ body: RequestBody, maxFileBytes: Int, temporaryDirectory: String) throws -> Input {
        var input = Input()
        if body.count == 0 && request.head.contentLength == nil && !request.head.isChunked { return input }
        let type = request.mediaType ?? "application/json"
        if type != "multipart/form-data" && body.count > BodySpec.plainLimit {
            throw APIError.payloadTooLarge(limit: BodySpec.plainLimit)
        }
        switch type {
        case "application/json":
            if body.count == 0 { return input }
            let bytes = try body.allBytes()
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw APIError.badRequest("JSON parse error - \(error.message)")
            }
            guard case .object(let object) = value else {
                throw APIError.nonField("Invalid data. Expected a dictionary, but got \(value.typeName).")
            }
            input = Input(object: object)
        case "application/x-www-form-urlencoded":
            guard let text = String(validating: try body.allBytes(), as: UTF8.self),
                  let pairs = PercentEncoding.parseForm(Substring(text)) else {
                throw APIError.badRequest("Malformed url-encoded form.")
            }
            for (k, v) in pairs where input.fields[k] == nil { input.fields[k] = .string(v) }
        case "multipart/form-data":
            guard let header = request.headers["Content-Type"],
                  let boundary = MultipartParser.boundary(fromContentType: header) else {
                throw APIError.badRequest("Multipart form parse error - Invalid boundary in multipart: None")
            }
            let form: MultipartForm
            do {
                form = try MultipartParser.parse(body, boundary: boundary,
                                                 limits: MultipartLimits(maxFileBytes: maxFileBytes),
                                                 temporaryDirectory: temporaryDirectory)
            } catch {
                // A disk that cannot take the upload is the server's condition, not the client's fault.
                if case .storageFailed = error { throw APIError.storageUnavailable }
                throw APIError.badRequest("Multipart form parse error - \(error.message)")
            }
            for (k, v) in form.fields where input.fields[k] == nil { input.fields[k] = .string(v) }
            for f in form.files where input.files[f.fieldName] == nil { input.files[f.fieldName] = f }
        default:
            throw APIError.unsupportedMediaType(request.headers["Content-Type"] ?? type)
        }
        return input
    }
}

extension JSONValue {
    /// Python's name of the type, as the original's messages show it.
    var typeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .number(let n): return n.isInteger ? "int" : "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }
}
