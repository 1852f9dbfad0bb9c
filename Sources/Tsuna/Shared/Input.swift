import HTTP
import JSON

/// A request's fields, whatever the body's encoding: JSON object, url-encoded form or multipart form.
/// Plain form fields arrive as JSON strings, so validation treats every encoding alike.
struct Input {
    /// JSON and url-encoded bodies: 1 MB (SPEC section 1).
    static let plainBodyLimit = 1_048_576
    private(set) var fields: [String: JSONValue] = [:]
    private(set) var files: [String: MultipartFile] = [:]

    subscript(name: String) -> JSONValue? { fields[name] }
    /// For nested objects validated like a body (e.g. `permissions`).
    mutating func set(_ name: String, _ value: JSONValue) { fields[name] = value }
    func file(_ name: String) -> MultipartFile? { files[name] }
    /// True when the field was sent at all (as a value or a file).
    func has(_ name: String) -> Bool { fields[name] != nil || files[name] != nil }

    /// Reads the body. `fileLimit` is the largest single file accepted (nil: multipart not accepted).
    /// Malformed JSON → 400 "JSON parse error - …"; an unsupported content type → 415.
    static func parse(_ request: Request, fileLimit: Int? = nil, temporaryDirectory: String) throws -> Input {
        var input = Input()
        // API.route awaited `request.body()` before the handler.
        guard let body = request.receivedBody else { throw StartupError("the request body was not read before parsing") }
        if body.count == 0 && request.head.contentLength == nil && !request.head.isChunked { return input }
        let type = request.mediaType ?? "application/json"
        if type != "multipart/form-data" && body.count > Input.plainBodyLimit {
            throw HTTPErrorResponse(Response.detail(413, "Request body is too large (limit \(Input.plainBodyLimit) bytes)."))
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
                throw HTTPErrorResponse(FieldErrors("non_field_errors", "Invalid data. Expected a dictionary, but got \(value.typeName).").response)
            }
            for (k, v) in object.members { input.fields[k] = v }
        case "application/x-www-form-urlencoded":
            let bytes = try body.allBytes()
            guard let text = String(validating: bytes, as: UTF8.self),
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
                                                 limits: MultipartLimits(maxFileBytes: fileLimit ?? (1 << 20)),
                                                 temporaryDirectory: temporaryDirectory)
            } catch {
                // A disk failure while spilling is the server's problem (500), not the client's.
                if case .storageFailed = error { throw StartupError("multipart storage failed: \(error.message)") }
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
