import HTTP
import JSON

/// One field a route reads from its body, with the rules its validator applies. A route declares its fields in
/// its `BodySpec`, the handler reads them through `Validator` with the same value, and the OpenAPI document is
/// written from it: the limits a client reads are the limits the server enforces.
struct BodyField: Sendable {
    enum Kind: Sendable {
        /// Text, trimmed of surrounding whitespace; `maxLength` counts Unicode code points. A blank value is
        /// refused unless `blank` (then it, or null, means "not given").
        case text(maxLength: Int, blank: Bool)
        case email(maxLength: Int)
        /// A new password: at least 8 characters, not entirely digits (Django's validators).
        case newPassword
        case integer(min: Int, max: Int)
        case boolean
        case choice([String])
        /// A user's or an object's token (a UUID); an unknown one is the field's 400.
        case token
        /// A file in a multipart body, recognised from its first bytes as one of `mediaTypes`; `maxMB` when the
        /// limit is the same for every caller.
        case file(mediaTypes: [String], maxMB: Int?)
        /// A JSON object of its own fields (channel admin `permissions`); errors nest under the field's name.
        case object([BodyField])
    }

    /// A default the server applies when the field is absent on a create, for the document.
    enum Default: Sendable {
        case text(String)
        case integer(Int)
        case boolean(Bool)
    }

    let name: String
    let kind: Kind
    /// Required on a create and on PUT; PATCH requires nothing.
    let required: Bool
    let defaultValue: Default?
    /// What the document adds in words (limits that depend on the caller, what a value means).
    let about: String?

    static func text(_ name: String, maxLength: Int = Validator.defaultMaxLength, required: Bool = false,
                     blank: Bool = false, default value: String? = nil, about: String? = nil) -> BodyField {
        BodyField(name: name, kind: .text(maxLength: maxLength, blank: blank), required: required,
                  defaultValue: value.map(Default.text), about: about)
    }

    static func email(_ name: String, maxLength: Int, required: Bool = true) -> BodyField {
        BodyField(name: name, kind: .email(maxLength: maxLength), required: required, defaultValue: nil, about: nil)
    }

    static func newPassword(_ name: String) -> BodyField {
        BodyField(name: name, kind: .newPassword, required: true, defaultValue: nil,
                  about: "At least 8 characters, not entirely digits.")
    }

    static func integer(_ name: String, _ range: ClosedRange<Int>, required: Bool = false, default value: Int? = nil)
        -> BodyField {
        BodyField(name: name, kind: .integer(min: range.lowerBound, max: range.upperBound), required: required,
                  defaultValue: value.map(Default.integer), about: nil)
    }

    static func boolean(_ name: String, required: Bool = false, default value: Bool? = nil, about: String? = nil)
        -> BodyField {
        BodyField(name: name, kind: .boolean, required: required, defaultValue: value.map(Default.boolean), about: about)
    }

    static func choice(_ name: String, _ choices: [String], default value: String? = nil, about: String? = nil)
        -> BodyField {
        BodyField(name: name, kind: .choice(choices), required: false, defaultValue: value.map(Default.text),
                  about: about)
    }

    static func token(_ name: String, required: Bool = true, about: String? = nil) -> BodyField {
        BodyField(name: name, kind: .token, required: required, defaultValue: nil, about: about)
    }

    static func file(_ name: String, _ mediaTypes: [String], maxMB: Int? = nil, required: Bool = false, about: String)
        -> BodyField {
        BodyField(name: name, kind: .file(mediaTypes: mediaTypes, maxMB: maxMB), required: required, defaultValue: nil,
                  about: about)
    }

    static func object(_ name: String, _ fields: [BodyField], about: String? = nil) -> BodyField {
        BodyField(name: name, kind: .object(fields), required: false, defaultValue: nil, about: about)
    }

    /// PNG, JPEG, GIF or WebP (recognised from the first bytes), within `TSUNA_IMAGE_LIMIT_MB`.
    static func image(_ name: String, limitMB: Int) -> BodyField {
        file(name, ["image/png", "image/jpeg", "image/gif", "image/webp"], maxMB: limitMB,
             about: "An image (PNG, JPEG, GIF or WebP) up to \(limitMB) MB.")
    }

    var isFile: Bool {
        if case .file = kind { return true }
        return false
    }
}

/// What a route reads from its body (SPEC section 1, "body limits"), and the fields it reads.
struct BodySpec: Sendable {
    enum Encoding: Sendable {
        /// No body is read.
        case none
        /// Plain fields: a JSON object, a url-encoded form or a multipart form without large files; ≤ 1 MB.
        case fields
        /// A multipart form whose files may be up to `maxFileMB` MB (the body up to that + 1 MB); plain encodings
        /// are accepted too.
        case files(maxFileMB: Int)
    }

    let encoding: Encoding
    let fields: [BodyField]

    static let none = BodySpec(encoding: .none, fields: [])
    static func fields(_ fields: BodyField...) -> BodySpec { BodySpec(encoding: .fields, fields: fields) }
    static func files(maxFileMB: Int, _ fields: [BodyField]) -> BodySpec {
        BodySpec(encoding: .files(maxFileMB: maxFileMB), fields: fields)
    }

    static let plainLimit = 1_048_576

    /// The largest body accepted, decided from `Content-Length` before reading (413 beyond).
    func limit(_ configuration: Configuration) -> Int {
        switch encoding {
        case .none, .fields: return BodySpec.plainLimit
        case .files(let mb): return (mb + 1) * 1_048_576
        }
    }

    /// The largest single file accepted in a multipart body.
    var maxFileBytes: Int {
        switch encoding {
        case .none, .fields: return BodySpec.plainLimit
        case .files(let mb): return (mb + 1) * 1_048_576
        }
    }

    var readsBody: Bool {
        if case .none = encoding { return false }
        return true
    }

    func declares(_ name: String) -> Bool { fields.contains { $0.name == name } }
}
