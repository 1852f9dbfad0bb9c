import HTTP
import JSON

/// Site roles (SPEC section 1): admin (created by `tsuna create-admin`), premium (a subscription whose end is in
/// the future — the role follows `end_date` at once), normal.
enum Role: String, Sendable { case admin, premium, normal }

/// The authenticated user making a request.
struct Caller: Sendable {
    let id: Int64
    let token: String
    let email: String
    let firstName: String
    let lastName: String
    let isAdmin: Bool
    /// End of the active subscription (µs), if any.
    let subscriptionEnd: Int64?
    /// The id (`jti`) and expiry of the access token the request presented (a logout revokes it).
    let accessTokenId: String
    let accessTokenExpiry: Int64

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
    mutating func userRef(_ key: String, _ ref: UserRef?) {
        self.key(key); string(ref?.name)
        self.key(key + "_token"); string(ref?.token)
    }

    mutating func date(_ micros: Int64) {
        string(Clock.rfc3339(micros))
    }

    mutating func date(_ micros: Int64?) {
        if let micros { date(micros) } else { null() }
    }
}
