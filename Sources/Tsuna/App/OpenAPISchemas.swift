/// The object shapes of SPEC sections 2–9 as OpenAPI schemas, and which one each route answers with.
enum OpenAPISchemas {
    /// `components.schemas` as JSON (written by hand from SPEC; the routes come from the router).
    static let components = #"""
    {
      "Detail": {"type": "object", "properties": {"detail": {"type": "string"}, "code": {"type": "string"}}, "required": ["detail"]},
      "ValidationError": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": "field → messages; errors not tied to a field use non_field_errors"},
      "Paginated": {"type": "object", "required": ["count", "next", "previous", "results"], "properties": {
        "count": {"type": "integer"}, "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"}, "results": {"type": "array", "items": {}}}},
      "Registration": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}, "first_name": {"type": "string"},
        "last_name": {"type": "string"}, "bio": {"type": "string"}, "picture": {"type": ["string", "null"], "format": "uri"},
        "token": {"type": "string", "format": "uuid"}}},
      "Tokens": {"type": "object", "properties": {"refresh": {"type": "string"}, "access": {"type": "string"}}},
      "Profile": {"type": "object", "properties": {"email": {"type": "string", "description": "owner and admins only"},
        "first_name": {"type": "string"}, "last_name": {"type": "string"}, "picture": {"type": ["string", "null"], "format": "uri"},
        "bio": {"type": "string"}, "token": {"type": "string", "format": "uuid"},
        "active_subscription": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"membership": {"type": "string"},
          "start_date": {"type": "string", "format": "date-time"}, "end_date": {"type": "string", "format": "date-time"}}}]}}},
      "Plan": {"type": "object", "properties": {"title": {"type": "string", "maxLength": 210}, "description": {"type": "string", "maxLength": 400},
        "price": {"type": "integer", "minimum": 10, "maximum": 1000}, "active_months": {"type": "integer", "minimum": 1, "maximum": 24},
        "is_available": {"type": "boolean"}, "token": {"type": "string", "format": "uuid"}}},
      "Subscription": {"type": "object", "properties": {"membership": {"type": "string"}, "start_date": {"type": "string", "format": "date-time"},
        "end_date": {"type": "string", "format": "date-time"}, "token": {"type": "string", "format": "uuid"}}},
      "Channel": {"type": "object", "properties": {"title": {"type": "string", "maxLength": 240}, "description": {"type": "string", "maxLength": 500},
        "avatar": {"type": ["string", "null"], "format": "uri"}, "thumbnail": {"type": ["string", "null"], "format": "uri"},
        "token": {"type": "string", "format": "uuid"}, "date_created": {"type": "string", "format": "date-time"}, "is_verified": {"type": "boolean"},
        "owner": {"type": "string"}, "owner_token": {"type": "string"}, "role": {"enum": ["owner", "admin", null]},
        "subscribers_count": {"type": "integer"}}},
      "Subscriber": {"type": "object", "properties": {"user": {"type": "string"}, "user_token": {"type": "string"}, "date": {"type": "string", "format": "date-time"}}},
      "ChannelAdmin": {"type": "object", "properties": {"user": {"type": "string"}, "user_token": {"type": "string"},
        "promoted_by": {"type": ["string", "null"]}, "promoted_by_token": {"type": ["string", "null"]}, "channel": {"type": "string"},
        "token": {"type": "string"}, "date": {"type": "string", "format": "date-time"},
        "permissions": {"type": "object", "properties": {"can_add_object": {"type": "boolean"}, "can_edit_object": {"type": "boolean"},
          "can_delete_object": {"type": "boolean"}, "can_publish_object": {"type": "boolean"}, "can_change_channel_info": {"type": "boolean"}}}}},
      "Content": {"type": "object", "description": "a video or a music", "properties": {"title": {"type": "string", "maxLength": 100},
        "description": {"type": "string", "maxLength": 300}, "file": {"type": "string", "format": "uri"}, "thumbnail": {"type": ["string", "null"], "format": "uri"},
        "token": {"type": "string"}, "user": {"type": "string"}, "user_token": {"type": "string"}, "channel": {"type": "string"}, "channel_token": {"type": "string"},
        "date": {"type": "string", "format": "date-time"}, "visibility": {"enum": ["pr", "pu"]}, "visibility_display": {"enum": ["Private", "Public"]},
        "is_updated": {"type": "boolean"}, "is_published": {"type": "boolean"}, "allow_comment": {"type": "boolean"},
        "viewers_count": {"type": "integer"}, "upvotes": {"type": "integer"}, "downvotes": {"type": "integer"}, "content_type_id": {"enum": [1, 2]}}},
      "Vote": {"type": "object", "properties": {"user": {"type": "string"}, "user_token": {"type": "string"}, "choice": {"enum": ["u", "d"]},
        "date": {"type": "string", "format": "date-time"}}},
      "Comment": {"type": "object", "properties": {"parent": {"type": ["string", "null"]}, "user": {"type": "string"}, "user_token": {"type": "string"},
        "body": {"type": "string", "maxLength": 400}, "date": {"type": "string", "format": "date-time"}, "edited": {"type": "boolean"},
        "pinned": {"type": "boolean"}, "token": {"type": "string"}, "replies_count": {"type": "integer"},
        "replies": {"type": "array", "items": {"type": "object"}}}},
      "Viewer": {"type": "object", "properties": {"user": {"type": "string"}, "user_token": {"type": "string"}, "date": {"type": "string", "format": "date-time"}}}
    }
    """#

    /// The schema a successful answer of `method pattern` has, and whether it is a paginated list of it.
    static func success(_ method: String, _ pattern: String) -> (schema: String, paginated: Bool)? {
        let p = pattern
        func list(_ s: String) -> (String, Bool) { (s, true) }
        if p.hasPrefix("/accounts/v1/") {
            if p.hasSuffix("register/") { return ("Registration", false) }
            if p.hasSuffix("login/") || p.hasSuffix("refresh/") { return ("Tokens", false) }
            if p.contains("verify/") || p.hasSuffix("resend/") { return ("Detail", false) }
            return ("Profile", false)
        }
        if p.hasPrefix("/memberships/v1/") {
            if p.hasSuffix("subscribe/") { return ("Subscription", false) }
            return method == "GET" && p == "/memberships/v1/" ? list("Plan") : ("Plan", false)
        }
        if p.hasPrefix("/channels/v1/") { return method == "GET" && p == "/channels/v1/" ? list("Channel") : ("Channel", false) }
        if p.hasPrefix("/channel_subscribers/") { return p.hasSuffix("list/") ? list("Subscriber") : nil }
        if p.hasPrefix("/channel_admins/") { return method == "GET" && p.hasSuffix(":channel_token/") ? list("ChannelAdmin") : ("ChannelAdmin", false) }
        if p.hasPrefix("/videos/") || p.hasPrefix("/musics/") {
            return method == "GET" && p.hasSuffix(":channel_token/") ? list("Content") : ("Content", false)
        }
        if p.hasPrefix("/votes/") { return p.hasSuffix("list/") ? list("Vote") : ("Vote", false) }
        if p.hasPrefix("/comments/") { return method == "GET" && p.hasSuffix(":object_token/") ? list("Comment") : ("Comment", false) }
        if p.hasPrefix("/viewers/") { return list("Viewer") }
        return nil
    }
}
