import HTTP
import JSON

/// Site roles (SPEC section 1): admin (created by `tsuna create-admin`), premium (a subscription whose end is in
/// the future — the role follows `end_date` at once), normal.
enum Role: String { case admin, premium, normal }

/// The authenticated user making a request.
final class Caller: @unchecked Sendable {
    let id: Int64
    let token: String
    let email: String
    let firstName: String
    let lastName: String
    let isAdmin: Bool
    /// End of the active subscription (µs), if any.
    let subscriptionEnd: Int64?

    init(id: Int64, token: String, email: String, firstName: String, lastName: String, isAdmin: Bool,
         subscriptionEnd: Int64?) {
        self.id = id
        self.token = token
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.isAdmin = isAdmin
        self.subscriptionEnd = subscriptionEnd
    }

    var role: Role {
        if isAdmin { return .admin }
        if let end = subscriptionEnd, end > Clock.nowMicros() { return .premium }
        return .normal
    }

    var displayName: String { UserName.display(firstName, lastName) }
}

/// SPEC's user reference: `X` = display name, `X_token` = the user's token.
enum UserName {
    static func display(_ first: String, _ last: String) -> String {
        last.isEmpty ? first : first + " " + last
    }
}

extension JSONWriter {
    /// Writes `"<key>": "First Last", "<key>_token": "…"` (both null for a missing user).
    mutating func userRef(_ key: String, name: String?, token: String?) {
        self.key(key); string(name)
        self.key(key + "_token"); string(token)
    }

    mutating func date(_ micros: Int64) {
        string(Clock.rfc3339(micros))
    }

    mutating func date(_ micros: Int64?) {
        if let micros { date(micros) } else { null() }
    }
}
