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
struct FieldErrors: Error {
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

    var response: Response { Response.json(400, bodyBytes) }

    var bodyBytes: [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        for (field, messages) in entries {
            w.key(field)
            w.beginArray()
            for m in messages { w.string(m) }
            w.endArray()
        }
        w.endObject()
        return w.bytes
    }
}

/// Errors a handler throws; each becomes its SPEC response.
enum APIError {
    static func notFound() -> HTTPErrorResponse { HTTPErrorResponse(Response.detail(404, "Not found.")) }
    static func forbidden(_ message: String) -> HTTPErrorResponse { HTTPErrorResponse(Response.detail(403, message)) }
    static func badRequest(_ message: String) -> HTTPErrorResponse { HTTPErrorResponse(Response.detail(400, message)) }
    static func field(_ field: String, _ message: String) -> HTTPErrorResponse {
        HTTPErrorResponse(FieldErrors(field, message).response)
    }
    static func nonField(_ message: String) -> HTTPErrorResponse { field("non_field_errors", message) }
    static func unsupportedMediaType(_ type: String) -> HTTPErrorResponse {
        HTTPErrorResponse(Response.detail(415, "Unsupported media type \"\(type)\" in request."))
    }

    static func unauthorized(_ body: String) -> HTTPErrorResponse {
        var r = Response.json(401, Array(body.utf8))
        r.headers.add("WWW-Authenticate", "Bearer realm=\"api\"")
        return HTTPErrorResponse(r)
    }
    static let notAuthenticated = unauthorized(#"{"detail": "Authentication credentials were not provided."}"#)
    static let tokenNotValid = unauthorized(#"{"detail": "Given token not valid for any token type", "code": "token_not_valid"}"#)
}

extension FieldErrors {
    /// Throws the 400 response when any error was collected.
    func throwIfAny() throws {
        if !isEmpty { throw HTTPErrorResponse(response) }
    }
}
