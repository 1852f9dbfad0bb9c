/// The JSON shapes the API answers with, by the name the OpenAPI document gives them (their JSON Schemas are
/// in `OpenAPISchemas`, written from the handlers that produce them).
enum APISchema: String, CaseIterable, Sendable {
    case detail = "Detail"
    case unauthorized = "Unauthorized"
    case fieldErrors = "FieldErrors"
    case permissionErrors = "PermissionErrors"
    case health = "Health"
    case registration = "Registration"
    case resent = "Resent"
    case tokens = "Tokens"
    case accessToken = "AccessToken"
    case profile = "Profile"
    case plan = "Plan"
    case subscription = "Subscription"
    case channel = "Channel"
    case channelDetail = "ChannelDetail"
    case isSubscribed = "IsSubscribed"
    case subscribed = "Subscribed"
    case subscriber = "Subscriber"
    case channelAdmin = "ChannelAdmin"
    case channelAdminDetail = "ChannelAdminDetail"
    case promoted = "Promoted"
    case contentRow = "ContentRow"
    case contentCreated = "ContentCreated"
    case content = "Content"
    case ownVote = "OwnVote"
    case vote = "Vote"
    case voteRow = "VoteRow"
    case comment = "Comment"
    case commentDetail = "CommentDetail"
    case pinned = "Pinned"
    case viewer = "Viewer"
}

/// One answer a route's handler gives, for the API document. A route declares its successes and the refusals
/// its handler decides; the answers of the layer (401, the 403 of its access and rule, the 404 of the objects
/// its path names, 400/413/415 of its body, 429 of its throttle, 503) follow from the rest of its declaration.
struct Answer: Sendable {
    enum Body: Sendable {
        case none
        case json(APISchema)
        /// `{count, next, previous, results: [schema]}`.
        case page(APISchema)
        /// JSON, or a small HTML page when the request's `Accept` has `text/html`.
        case jsonOrHTML(APISchema)
    }

    let status: Int
    let body: Body
    let about: String

    static func ok(_ schema: APISchema, _ about: String) -> Answer { Answer(status: 200, body: .json(schema), about: about) }
    static func created(_ schema: APISchema, _ about: String) -> Answer {
        Answer(status: 201, body: .json(schema), about: about)
    }
    static func page(_ schema: APISchema, _ about: String) -> Answer { Answer(status: 200, body: .page(schema), about: about) }
    static func deleted(_ about: String = "Deleted.") -> Answer { Answer(status: 204, body: .none, about: about) }
    /// A refusal `{"detail": message}` (400, 403, 404) or, for 400 with `fields`, `{field: [messages]}`.
    static func refused(_ status: Int, _ messages: String..., fields: Bool = false) -> Answer {
        Answer(status: status, body: .json(fields ? .fieldErrors : .detail),
               about: messages.map { "“\($0)”" }.joined(separator: ", "))
    }
}
