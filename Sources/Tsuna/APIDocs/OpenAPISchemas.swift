import JSON

/// The JSON Schemas of `components.schemas`: every object exactly as the handlers write it (every key present,
/// no other key), so a client — and schemathesis — can hold the server to them.
enum OpenAPISchemas {
    static let text: JSONValue = ["type": "string"]
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let date: JSONValue = ["type": "string", "format": "date-time",
                                  "description": "RFC 3339 in UTC with microseconds, e.g. 2026-11-24T17:51:00.123456Z"]
    static let integer: JSONValue = ["type": "integer"]
    static let count: JSONValue = ["type": "integer", "minimum": 0]
    static let boolean: JSONValue = ["type": "boolean"]
    /// An absolute media URL (`<domain>/media/…`), or null when there is no file.
    static let mediaURL: JSONValue = ["type": ["string", "null"], "format": "uri"]
    /// A user's display name ("first last"); null only when the user is gone.
    static let userName: JSONValue = ["type": ["string", "null"]]
    static let userToken: JSONValue = ["type": ["string", "null"], "format": "uuid"]
    static let visibility: JSONValue = ["type": "string", "enum": ["pr", "pu"]]
    static let choice: JSONValue = ["type": "string", "enum": ["u", "d"]]

    /// An object with exactly these members; `optional` ones may be absent.
    static func object(_ members: [(String, JSONValue)], optional: Set<String> = [], about: String? = nil) -> JSONValue {
        var schema = JSONObject()
        schema["type"] = "object"
        if let about { schema["description"] = .string(about) }
        schema["required"] = .array(members.map(\.0).filter { !optional.contains($0) }.map(JSONValue.string))
        schema["additionalProperties"] = false
        schema["properties"] = .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
        return .object(schema)
    }

    /// `X` and `X_token`: a user reference as SPEC section 1 renders it.
    static func user(_ key: String) -> [(String, JSONValue)] { [(key, userName), (key + "_token", userToken)] }

    static func ref(_ schema: APISchema) -> JSONValue { ["$ref": .string("#/components/schemas/\(schema.rawValue)")] }

    static var components: JSONValue {
        .object(JSONObject(APISchema.allCases.map { (key: $0.rawValue, value: definition($0)) }))
    }

    private static let channelMembers: [(String, JSONValue)] = [
        ("title", text), ("description", text), ("avatar", mediaURL), ("thumbnail", mediaURL), ("token", uuid),
        ("date_created", date), ("is_verified", boolean),
    ]

    private static let commentMembers: [(String, JSONValue)] =
        [("parent", ["type": ["string", "null"], "format": "uuid"])] + user("user") + [
            ("body", text), ("date", date), ("edited", boolean), ("pinned", boolean), ("token", uuid),
            ("replies_count", count),
        ]

    private static let fieldMessages: JSONValue = [
        "type": "object", "minProperties": 1,
        "additionalProperties": ["type": "array", "items": ["type": "string"], "minItems": 1],
        "description": "field → messages; errors not tied to a field are under non_field_errors",
    ]

    static func definition(_ schema: APISchema) -> JSONValue {
        switch schema {
        case .detail: return object([("detail", text)])
        case .unauthorized:
            return object([("detail", text), ("code", ["type": "string", "enum": ["token_not_valid"]])], optional: ["code"])
        case .fieldErrors: return fieldMessages
        case .permissionErrors: return object([("permissions", fieldMessages)])
        case .health: return object([("status", ["type": "string", "enum": ["ok"]])])
        case .registration:
            return object([("email", text), ("first_name", text), ("last_name", text), ("bio", text),
                           ("picture", mediaURL), ("token", uuid)])
        case .resent: return object([("user", uuid)])
        case .tokens: return object([("refresh", text), ("access", text)], about: "JWTs (HS256)")
        case .accessToken: return object([("access", text)])
        case .profile:
            let subscription = object([("membership", text), ("start_date", date), ("end_date", date)])
            return object([("email", text), ("first_name", text), ("last_name", text), ("picture", mediaURL), ("bio", text),
                           ("token", uuid), ("active_subscription", ["oneOf": [subscription, ["type": "null"]]])],
                          optional: ["email"], about: "email only for the profile's owner and site administrators")
        case .plan:
            return object([("title", text), ("description", text), ("price", integer), ("active_months", integer),
                           ("is_available", boolean), ("token", uuid)])
        case .subscription:
            return object([("membership", text), ("start_date", date), ("end_date", date), ("token", uuid)])
        case .channel: return object(channelMembers)
        case .channelDetail:
            return object(channelMembers + user("owner") + [
                ("role", ["type": ["string", "null"], "enum": ["owner", "admin", nil],
                          "description": "the caller's role in the channel"]),
                ("subscribers_count", count),
            ])
        case .isSubscribed: return ["type": "boolean"]
        case .subscribed: return object([("subscribed", ["type": "boolean", "enum": [true]])])
        case .subscriber, .viewer: return object(user("user") + [("date", date)])
        case .channelAdmin:
            return object(user("user") + user("promoted_by") + [("channel", uuid), ("token", uuid)])
        case .channelAdminDetail:
            let permissions = object(ChannelPermission.allCases.map { ($0.rawValue, boolean) })
            return object(user("user") + user("promoted_by") + [("date", date), ("permissions", permissions)])
        case .promoted: return object([("user", uuid), ("token", uuid)])
        case .contentRow:
            return object([("title", text), ("thumbnail", mediaURL), ("token", uuid), ("channel", text),
                           ("channel_token", uuid), ("date", date)] + user("user") + [("is_published", boolean)])
        case .contentCreated:
            return object([("title", text), ("description", text), ("file", mediaURL), ("thumbnail", mediaURL),
                           ("allow_comment", boolean), ("visibility", visibility), ("date", date), ("token", uuid)])
        case .content:
            return object([("title", text), ("description", text), ("file", mediaURL), ("thumbnail", mediaURL),
                           ("token", uuid)] + user("user") + [
                ("channel", text), ("channel_token", uuid), ("date", date), ("visibility", visibility),
                ("visibility_display", ["type": "string", "enum": ["Private", "Public"]]), ("is_updated", boolean),
                ("is_published", boolean), ("allow_comment", boolean), ("viewers_count", count), ("upvotes", count),
                ("downvotes", count),
                ("content_type_id", ["type": "integer", "enum": [1, 2], "description": "1 video, 2 music"]),
            ], about: "a private item's file URL carries an expiring signature")
        case .ownVote: return ["oneOf": [object([("choice", choice), ("date", date)]), ["type": "null"]]]
        case .vote: return object([("choice", choice)])
        case .voteRow: return object(user("user") + [("choice", choice), ("date", date)])
        case .comment: return object(commentMembers)
        case .commentDetail:
            let reply = object(user("user") + [("body", text), ("date", date), ("token", uuid)])
            return object(commentMembers + [("replies", ["type": "array", "items": reply,
                                                         "description": "oldest first, at most 1000"])])
        case .pinned: return object([("pinned", boolean)])
        }
    }
}
