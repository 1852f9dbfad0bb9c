import HTTP
import JSON

/// What a route reads from its body (SPEC section 1, "body limits").
enum BodySpec: Sendable {
    /// No body is read.
    case none
    /// Plain fields: a JSON object, a url-encoded form or a multipart form without large files; ≤ 1 MB.
    case fields
    /// A multipart form whose files may be up to `maxFileMB` MB (the body up to that + 1 MB); plain encodings
    /// are accepted too.
    case files(maxFileMB: Int)

    static let plainLimit = 1_048_576

    /// The largest body accepted, decided from `Content-Length` before reading (413 beyond).
    func limit(_ configuration: Configuration) -> Int {
        switch self {
        case .none, .fields: return BodySpec.plainLimit
        case .files(let mb): return (mb + 1) * 1_048_576
        }
    }

    /// The largest single file accepted in a multipart body.
    var maxFileBytes: Int {
        switch self {
        case .none, .fields: return BodySpec.plainLimit
        case .files(let mb): return (mb + 1) * 1_048_576
        }
    }
}

/// A request's fields, whatever the body's encoding: JSON object, url-encoded form or multipart form.
/// Plain form fields arrive as JSON strings, so validation treats every encoding alike.
struct Input: Sendable {
    private(set) var fields: [String: JSONValue] = [:]
    private(set) var files: [String: MultipartFile] = [:]

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
    static func read(_ request: Request, _ spec: BodySpec, _ services: Services,
                     then: @Sendable (Input) async throws -> Response) async throws -> Response {
        if case .none = spec { return try await then(Input()) }
        let temporary = services.configuration.temporaryDirectory
        if case .file = request.body {
            return try await withTaskExecutorPreference(globalConcurrentExecutor) {
                try await then(try parse(request, maxFileBytes: spec.maxFileBytes, temporaryDirectory: temporary))
            }
        }
        return try await then(try parse(request, maxFileBytes: spec.maxFileBytes, temporaryDirectory: temporary))
    }

    /// Malformed JSON → 400 "JSON parse error - …"; an unsupported content type → 415.
    static func parse(_ request: Request, maxFileBytes: Int, temporaryDirectory: String) throws(APIError) -> Input {
        var input = Input()
        if request.body.count == 0 && request.head.contentLength == nil && !request.head.isChunked { return input }
        let type = request.mediaType ?? "application/json"
        if type != "multipart/form-data" && request.body.count > BodySpec.plainLimit {
            throw .payloadTooLarge(limit: BodySpec.plainLimit)
        }
        switch type {
        case "application/json":
            if request.body.count == 0 { return input }
            let value: JSONValue
            do {
                value = try JSONParser.parse(request.bodyBytes())
            } catch {
                throw .badRequest("JSON parse error - \(error.message)")
            }
            guard case .object(let object) = value else {
                throw .nonField("Invalid data. Expected a dictionary, but got \(value.typeName).")
            }
            input = Input(object: object)
        case "application/x-www-form-urlencoded":
            guard let text = String(validating: request.bodyBytes(), as: UTF8.self),
                  let pairs = PercentEncoding.parseForm(Substring(text)) else {
                throw .badRequest("Malformed url-encoded form.")
            }
            for (k, v) in pairs where input.fields[k] == nil { input.fields[k] = .string(v) }
        case "multipart/form-data":
            guard let header = request.headers["Content-Type"],
                  let boundary = MultipartParser.boundary(fromContentType: header) else {
                throw .badRequest("Multipart form parse error - Invalid boundary in multipart: None")
            }
            let form: MultipartForm
            do {
                form = try MultipartParser.parse(request.body, boundary: boundary,
                                                 limits: MultipartLimits(maxFileBytes: maxFileBytes),
                                                 temporaryDirectory: temporaryDirectory)
            } catch {
                // A disk that cannot take the upload is the server's condition, not the client's fault.
                if case .storageFailed = error { throw .storageUnavailable }
                throw .badRequest("Multipart form parse error - \(error.message)")
            }
            for (k, v) in form.fields where input.fields[k] == nil { input.fields[k] = .string(v) }
            for f in form.files where input.files[f.fieldName] == nil { input.files[f.fieldName] = f }
        default:
            throw .unsupportedMediaType(request.headers["Content-Type"] ?? type)
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
