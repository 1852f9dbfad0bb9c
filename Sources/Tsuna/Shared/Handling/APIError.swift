import HTTP
import JSON

/// The exact messages of SPEC section 1 ("Details every endpoint shares"), so features never spell them.
enum FieldMessage {
    static let required = "This field is required."
    static let blank = "This field may not be blank."
    static let null = "This field may not be null."
    static let invalidEmail = "Enter a valid email address."
    static let invalidInteger = "A valid integer is required."
    static let invalidBoolean = "Must be a valid boolean."
    static let notAString = "Not a valid string."
    static func maxLength(_ n: Int) -> String { "Ensure this field has no more than \(n) characters." }
    static func minLength(_ n: Int) -> String { "Ensure this field has at least \(n) characters." }
    static func maxValue(_ n: Int) -> String { "Ensure this value is less than or equal to \(n)." }
    static func minValue(_ n: Int) -> String { "Ensure this value is greater than or equal to \(n)." }
    static func invalidChoice(_ x: String) -> String { "\"\(x)\" is not a valid choice." }
    static func doesNotExist(_ x: String) -> String { "Object with token=\(x) does not exist." }
}

/// Field → messages, in the order they were found; rendered as SPEC's 400 body.
struct FieldErrors: Sendable {
    private(set) var entries: [(field: String, messages: [String])] = []

    init() {}
    init(_ field: String, _ message: String) { add(field, message) }

    var isEmpty: Bool { entries.isEmpty }

    mutating func add(_ field: String, _ message: String) {
        if let i = entries.firstIndex(where: { $0.field == field }) {
            entries[i].messages.append(message)
        } else {
            entries.append((field, [message]))
        }
    }

    func has(_ field: String) -> Bool { entries.contains { $0.field == field } }

    /// Throws the 400 answer when any error was collected.
    func throwIfAny() throws(APIError) {
        if !isEmpty { throw .fields(self) }
    }

    func write(to w: inout JSONWriter) {
        w.beginObject()
        for (field, messages) in entries {
            w.key(field)
            w.beginArray()
            for m in messages { w.string(m) }
            w.endArray()
        }
        w.endObject()
    }
}

/// Every error answer of the API. It renders itself in SPEC's wire format (section 1); the HTTP layer only
/// sees the finished response.
enum APIError: Error, Sendable {
    /// 404 `Not found.`: an unknown object or path token.
    case notFound
    /// 401: a protected route without credentials.
    case notAuthenticated
    /// 401 `token_not_valid`: a bad, expired, revoked or refresh-type access token.
    case tokenNotValid
    /// Other 401s (login, refresh), with an optional `code`.
    case unauthorized(String, code: String? = nil)
    /// 403 with SPEC's message.
    case forbidden(String)
    /// 400 `{"detail": …}`.
    case badRequest(String)
    /// 400 `{field: [messages]}`.
    case fields(FieldErrors)
    /// 400 `{outer: {field: [messages]}}` (nested objects such as channel admin `permissions`).
    case nestedFields(String, FieldErrors)
    /// 415.
    case unsupportedMediaType(String)
    /// 413.
    case payloadTooLarge(limit: Int)
    /// 429 with `Retry-After`.
    case throttled(seconds: Int)
    /// 503 with `Retry-After`: the disk is full or the data folder read-only; nothing was changed.
    case storageUnavailable
    /// 503 with `Retry-After`: bounded work (password hashing) is at capacity.
    case busy
    /// Any other `{"detail": …}` answer (e.g. 404 `Content type not found.`).
    case detail(Int, String)

    static func field(_ field: String, _ message: String) -> APIError { .fields(FieldErrors(field, message)) }
    static func nonField(_ message: String) -> APIError { field("non_field_errors", message) }

    var response: Response {
        switch self {
        case .notFound: return Wire.detail(404, "Not found.")
        case .notAuthenticated: return Wire.unauthorized(Wire.notAuthenticatedBody)
        case .tokenNotValid: return Wire.unauthorized(Wire.tokenNotValidBody)
        case let .unauthorized(message, code):
            var w = JSONWriter()
            w.beginObject()
            w.key("detail"); w.string(message)
            if let code { w.key("code"); w.string(code) }
            w.endObject()
            return Wire.unauthorized(w.bytes)
        case .forbidden(let m): return Wire.detail(403, m)
        case .badRequest(let m): return Wire.detail(400, m)
        case .fields(let errors):
            var w = JSONWriter()
            errors.write(to: &w)
            return Response.json(400, w.bytes)
        case let .nestedFields(outer, errors):
            var w = JSONWriter()
            w.beginObject(); w.key(outer); errors.write(to: &w); w.endObject()
            return Response.json(400, w.bytes)
        case .unsupportedMediaType(let type): return Wire.detail(415, "Unsupported media type \"\(type)\" in request.")
        case .payloadTooLarge(let limit): return Wire.detail(413, "Request body is too large (limit \(limit) bytes).")
        case .throttled(let seconds):
            var r = Wire.detail(429, "Request was throttled. Expected available in \(seconds) seconds.")
            r.headers.add("Retry-After", String(seconds))
            return r
        case .storageUnavailable:
            var r = Wire.detail(503, "Storage is unavailable; try again later.")
            r.headers.add("Retry-After", "30")
            return r
        case .busy:
            var r = Wire.detail(503, "The server is busy; try again later.")
            r.headers.add("Retry-After", "1")
            return r
        case let .detail(status, m): return Wire.detail(status, m)
        }
    }
}

/// SPEC's wire format for the answers that are not an object of the API.
enum Wire {
    /// `{"detail": message}`, spaced as the original (DRF) wrote it.
    static func detail(_ status: Int, _ message: String) -> Response {
        var text = JSONWriter(capacity: message.utf8.count + 16)
        text.string(message)
        return Response.json(status, detailPrefix + text.bytes + [UInt8(ascii: "}")])
    }

    private static let detailPrefix = Array(#"{"detail": "#.utf8)

    static let notAuthenticatedBody = Array(#"{"detail": "Authentication credentials were not provided."}"#.utf8)
    static let tokenNotValidBody = Array(#"{"detail": "Given token not valid for any token type", "code": "token_not_valid"}"#.utf8)

    /// 401s carry `WWW-Authenticate` (SPEC section 1).
    static func unauthorized(_ body: [UInt8]) -> Response {
        var r = Response.json(401, body)
        r.headers.add("WWW-Authenticate", "Bearer realm=\"api\"")
        return r
    }

    /// An HTML page (account verification, password reset forms) with the API's security headers.
    static func html(_ status: Int = 200, _ page: String) -> Response {
        var h = HTTPHeaders()
        h.add("Content-Type", "text/html; charset=utf-8")
        return Response(status: status, headers: h, body: .bytes(Array(page.utf8)))
    }

    static let nullBody = Array("null".utf8)
    static let trueBody = Array("true".utf8)
    static let falseBody = Array("false".utf8)
}
