import HTTP
import JSON

/// Reads typed fields from an `Input`, collecting SPEC's field messages; `finish()` throws the 400.
/// Each reader returns nil when the field is absent (and optional) or invalid.
struct Validator {
    let input: Input
    var errors = FieldErrors()
    /// PATCH: nothing is required; only the fields sent are validated.
    let partial: Bool

    init(_ input: Input, partial: Bool = false) {
        self.input = input
        self.partial = partial
    }

    private mutating func present(_ name: String, required: Bool) -> JSONValue? {
        guard let v = input[name] else {
            if required && !partial { errors.add(name, FieldMessage.required) }
            return nil
        }
        return v
    }

    /// Text fields without a limit of their own (passwords, tokens, an email to log in with) are capped
    /// here, so no field carries an unbounded string into hashing, lookups or the log.
    static let defaultMaxLength = 4096

    /// A string field. Numbers are accepted as their text, as the original did.
    mutating func string(_ name: String, required: Bool = false, maxLength: Int? = nil, minLength: Int? = nil,
                         allowBlank: Bool = false) -> String? {
        let maxLength = maxLength ?? Validator.defaultMaxLength
        guard let v = present(name, required: required) else { return nil }
        let s: String
        switch v {
        case .string(let t): s = t
        case .number(let n): s = n.text
        case .null:
            if allowBlank { return nil }
            errors.add(name, FieldMessage.null); return nil
        default: errors.add(name, FieldMessage.notAString); return nil
        }
        let trimmed = s.trimmingWhitespace()
        if trimmed.isEmpty {
            if allowBlank { return "" }
            errors.add(name, FieldMessage.blank); return nil
        }
        // Lengths count Unicode code points, as the original (Python) did: never grapheme clusters, which
        // let one "character" carry unbounded combining marks.
        let length = trimmed.unicodeScalars.count
        if length > maxLength { errors.add(name, FieldMessage.maxLength(maxLength)); return nil }
        if let minLength, length < minLength { errors.add(name, FieldMessage.minLength(minLength)); return nil }
        return trimmed
    }

    /// A required string field on a create: after `finish()` it is the valid value ("" only while errors
    /// are being collected, and then `finish()` throws).
    mutating func requiredString(_ name: String, maxLength: Int? = nil, minLength: Int? = nil) -> String {
        string(name, required: true, maxLength: maxLength, minLength: minLength) ?? ""
    }

    mutating func email(_ name: String, required: Bool = false, maxLength: Int) -> String? {
        guard let s = string(name, required: required, maxLength: maxLength) else { return nil }
        guard Validator.isEmail(s) else { errors.add(name, FieldMessage.invalidEmail); return nil }
        return s
    }

    mutating func requiredEmail(_ name: String, maxLength: Int) -> String {
        email(name, required: true, maxLength: maxLength) ?? ""
    }

    /// A new password (registration, change, reset): required, at least 8 characters, not entirely digits —
    /// Django's default validators, with their messages.
    mutating func newPassword(_ name: String) -> String {
        guard let password = string(name, required: true) else { return "" }
        if password.unicodeScalars.count < 8 {
            errors.add(name, "This password is too short. It must contain at least 8 characters.")
        }
        if password.allSatisfy(\.isNumber) { errors.add(name, "This password is entirely numeric.") }
        return password
    }

    /// An optional image upload within `limitMB`, recognised from its first bytes.
    mutating func image(_ name: String, limitMB: Int) -> ImageUpload? {
        guard let file = input.file(name) else { return nil }
        if file.size > limitMB * 1_048_576 {
            errors.add(name, "Images can be up to \(limitMB)MB.")
            return nil
        }
        guard let kind = ImageSniffer.kind(of: file.firstBytes(16)) else {
            errors.add(name, "Upload a valid image. The file you uploaded was either not an image or a corrupted image.")
            return nil
        }
        return ImageUpload(file: file, kind: kind)
    }

    mutating func int(_ name: String, required: Bool = false, min: Int? = nil, max: Int? = nil) -> Int? {
        guard let v = present(name, required: required) else { return nil }
        var result: Int?
        switch v {
        case .number(let n): result = n.int64.map { Int($0) } ?? (n.double.flatMap { $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil })
        case .string(let s): result = Int(s.trimmingWhitespace())
        case .null: errors.add(name, FieldMessage.null); return nil
        default: result = nil
        }
        guard let n = result else { errors.add(name, FieldMessage.invalidInteger); return nil }
        if let max, n > max { errors.add(name, FieldMessage.maxValue(max)); return nil }
        if let min, n < min { errors.add(name, FieldMessage.minValue(min)); return nil }
        return n
    }

    mutating func bool(_ name: String, required: Bool = false) -> Bool? {
        guard let v = present(name, required: required) else { return nil }
        switch v {
        case .bool(let b): return b
        case .number(let n) where n.int64 == 1: return true
        case .number(let n) where n.int64 == 0: return false
        case .string(let s):
            if let b = Validator.parseBool(s) { return b }
        case .null:
            errors.add(name, FieldMessage.null); return nil
        default: break
        }
        errors.add(name, FieldMessage.invalidBoolean)
        return nil
    }

    mutating func choice(_ name: String, _ choices: [String], required: Bool = false) -> String? {
        guard let v = present(name, required: required) else { return nil }
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n.text
        case .bool(let b): text = b ? "True" : "False"
        case .null: errors.add(name, FieldMessage.null); return nil
        default: text = "\(v)"
        }
        guard choices.contains(text) else { errors.add(name, FieldMessage.invalidChoice(text)); return nil }
        return text
    }

    /// A user/object token field: returns the token text (the caller looks it up and reports doesNotExist).
    mutating func token(_ name: String, required: Bool = false) -> String? {
        guard let v = present(name, required: required) else { return nil }
        switch v {
        case .string(let s): return s
        case .number(let n): return n.text
        case .null: errors.add(name, FieldMessage.null); return nil
        default: errors.add(name, FieldMessage.doesNotExist("\(v)")); return nil
        }
    }

    /// Throws the 400 answer when any field was refused.
    func finish() throws(APIError) { try errors.throwIfAny() }

    static func parseBool(_ s: String) -> Bool? {
        switch s.trimmingWhitespace().lowercased() {
        case "true", "1", "on", "yes", "t", "y": return true
        case "false", "0", "off", "no", "f", "n": return false
        default: return nil
        }
    }

    /// Django's EmailValidator, simplified: local@domain.tld, no spaces, sane characters.
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.".utf8)
        guard local.utf8.allSatisfy({ localAllowed.contains($0) }), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" })
            else { return false }
        }
        guard let tld = labels.last, tld.count >= 2, !tld.allSatisfy({ $0.isNumber }) else { return false }
        return true
    }
}

extension String {
    /// DRF trims surrounding whitespace of CharFields.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
