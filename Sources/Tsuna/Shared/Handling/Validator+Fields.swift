/// Reading a declared `BodyField`: the limits come from the declaration the document is written from.
extension Validator {
    /// A handler reads only what its route declares; the tests run with assertions on, so a field missing from
    /// the declaration (and so from the document) fails them.
    private func check(_ field: BodyField) {
        assert(input.declared.map { $0.declares(field.name) } ?? true,
               "\(field.name) is read but not declared in the route's BodySpec")
    }

    mutating func text(_ field: BodyField) -> String? {
        check(field)
        guard case let .text(maxLength, blank) = field.kind else {
            assertionFailure("\(field.name) is not a text field")
            return string(field.name, required: field.required)
        }
        return string(field.name, required: field.required, maxLength: maxLength, allowBlank: blank)
    }

    /// A text field required on a create: after `finish()` it is the valid value.
    mutating func requiredText(_ field: BodyField) -> String { text(field) ?? "" }

    mutating func email(_ field: BodyField) -> String? {
        check(field)
        guard case .email(let maxLength) = field.kind else {
            assertionFailure("\(field.name) is not an email field")
            return string(field.name, required: field.required)
        }
        return email(field.name, required: field.required, maxLength: maxLength)
    }

    mutating func requiredEmail(_ field: BodyField) -> String { email(field) ?? "" }

    mutating func newPassword(_ field: BodyField) -> String {
        check(field)
        return newPassword(field.name)
    }

    mutating func int(_ field: BodyField) -> Int? {
        check(field)
        guard case let .integer(min, max) = field.kind else {
            assertionFailure("\(field.name) is not an integer field")
            return int(field.name, required: field.required)
        }
        return int(field.name, required: field.required, min: min, max: max)
    }

    mutating func bool(_ field: BodyField) -> Bool? {
        check(field)
        return bool(field.name, required: field.required)
    }

    mutating func choice(_ field: BodyField) -> String? {
        check(field)
        guard case .choice(let choices) = field.kind else {
            assertionFailure("\(field.name) is not a choice field")
            return nil
        }
        return choice(field.name, choices, required: field.required)
    }

    mutating func token(_ field: BodyField) -> String? {
        check(field)
        return token(field.name, required: field.required)
    }

    mutating func image(_ field: BodyField) -> ImageUpload? {
        check(field)
        guard case .file(_, let maxMB?) = field.kind else {
            assertionFailure("\(field.name) is not an image field")
            return nil
        }
        return image(field.name, limitMB: maxMB)
    }
}
