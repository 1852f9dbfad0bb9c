import HTTP
import JSON
import Security
import Store

/// A comment named by `:comment_token` on the item of `:ct/:object_token` (the item's checks come first).
struct CommentScope: RoleScoped {
    let itemScope: ItemScope
    let comment: CommentRecord
    var item: ContentRecord { itemScope.item }
    var channel: ChannelRecord { itemScope.channel }
    var role: ChannelRole? { itemScope.role }
}

extension Loader where Scope == CommentScope {
    static var comment: Loader {
        let item = Loader<ItemScope>.item(visibility: .checked)
        return Loader { r in
            let scope = try await item.load(r)
            guard let token = TokenFormat.normalized(r.parameter("comment_token")),
                  let comment = try r.services.store.read({ try CommentsStore.comment(token: token, contentId: scope.item.id, $0) })
            else { throw APIError.notFound }
            return CommentScope(itemScope: scope, comment: comment)
        }
    }
}

extension Rule where Scope == CommentScope {
    /// Only the comment's author.
    static var author: Rule {
        Rule(needsRole: false, summary: "the comment's author", refusals: [CommentsRoutes.notAuthor]) { caller, scope throws(APIError) in
            if scope.comment.userId != caller.id { throw .forbidden(CommentsRoutes.notAuthor) }
        }
    }

    /// The author or an admin of the item's channel.
    static var authorOrChannelAdmin: Rule {
        Rule(needsRole: true, summary: "the comment's author or the channel's admins",
             refusals: [CommentsRoutes.notAuthor]) { caller, scope throws(APIError) in
            if scope.comment.userId != caller.id && scope.role == nil { throw .forbidden(CommentsRoutes.notAuthor) }
        }
    }
}

/// `/comments/v1/<ct>/<object_token>/`: list, post, detail with replies, edit, delete, pin (SPEC section 9).
struct CommentsRoutes: Sendable {
    let services: Services

    static let closed = "Comments are not allowed for this object."
    static let notAuthor = "You are not the owner of this comment."
    static let notChannelAdmin = "You are not the channel admin."
    static let notTopLevel = "Replies can only be made to top-level comments."

    func register(on api: API) {
        let tags = ["comments"]
        let base = "/comments/v1/:ct/:object_token/"
        let item = Loader<ItemScope>.item(visibility: .checked)
        let privateItem = Answer.refused(403, ItemScope.privateContent)
        api.route("GET", base, item, answers: [.page(.comment, "A page of top-level comments."), privateItem],
                  summary: "Top-level comments, pinned first then newest", tags: tags, list)
        api.route("POST", base, item, body: .fields(CommentFields.body, CommentFields.parent),
                  answers: [.created(.comment, "The comment."), privateItem, .refused(403, CommentsRoutes.closed),
                            .refused(400, CommentsRoutes.notTopLevel, fields: true)],
                  summary: "Comment, or reply to a top-level comment", tags: tags, post)
        api.route("GET", base + ":comment_token/", .comment,
                  answers: [.ok(.commentDetail, "The comment with its replies."), privateItem],
                  summary: "A comment with its replies (oldest first)", tags: tags) { ctx in try detail(ctx.scope.comment) }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":comment_token/", .comment, .author, body: .fields(CommentFields.body),
                      answers: [.ok(.commentDetail, "The edited comment with its replies."), privateItem],
                      summary: "Edit a comment's body (its author)", tags: tags) { try await edit($0, partial: method == "PATCH") }
            api.route(method, base + ":comment_token/pin/", .comment, .channelAdmin(CommentsRoutes.notChannelAdmin),
                      body: .fields(CommentFields.pinned), answers: [.ok(.pinned, "Whether the comment is pinned."), privateItem],
                      summary: "Pin or unpin a comment (channel admins)", tags: tags) {
                try await pin($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", base + ":comment_token/", .comment, .authorOrChannelAdmin,
                  answers: [.deleted("The comment and its replies are deleted."), privateItem],
                  summary: "Delete a comment and its replies (author or channel admin)", tags: tags) { ctx in
            let id = ctx.scope.comment.id
            try await services.store.write { c in try CommentsStore.delete(id: id, c) }
            return Response(status: 204)
        }
    }

    private func writeComment(_ w: inout JSONWriter, _ cm: CommentRecord, _ author: UserRef?) {
        w.key("parent"); w.string(cm.parentToken)
        w.userRef("user", author)
        w.key("body"); w.string(cm.body)
        w.key("date"); w.date(cm.date)
        w.key("edited"); w.bool(cm.edited)
        w.key("pinned"); w.bool(cm.pinned)
        w.key("token"); w.string(cm.token)
        w.key("replies_count"); w.int(cm.repliesCount)
    }

    private func list(_ ctx: Context<ItemScope>) throws -> Response {
        let page = ctx.page
        let (count, rows) = try services.store.read { try CommentsStore.topLevel(contentId: ctx.item.id, page: page, $0) }
        let users = try services.users.references(rows.map(\.userId))
        return page.response(count: count, rows: rows, key: \.sortKey, request: ctx.request, domain: services.domain) { w, cm in
            w.beginObject(); writeComment(&w, cm, users[cm.userId]); w.endObject()
        }
    }

    private func detail(_ cm: CommentRecord, status: Int = 200) throws -> Response {
        let replies = try services.store.read { try CommentsStore.replies(parentId: cm.id, $0) }
        let users = try services.users.references([cm.userId] + replies.map(\.userId))
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        writeComment(&w, cm, users[cm.userId])
        w.key("replies"); w.beginArray()
        for r in replies {
            w.beginObject()
            w.userRef("user", users[r.userId])
            w.key("body"); w.string(r.body)
            w.key("date"); w.date(r.date)
            w.key("token"); w.string(r.token)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return Response.json(status, w.bytes)
    }

    /// The `parent` field: nil/absent/empty → top level; otherwise a top-level comment of the same item.
    private func parent(_ input: Input, item: ContentRecord, into errors: inout FieldErrors) throws -> Int64? {
        let sent: String
        let name = CommentFields.parent.name
        switch input[name] {
        case nil, .null?: return nil
        case .string(let s)?: sent = s
        case .number(let n)?: sent = n.text
        case let other?: errors.add(name, FieldMessage.doesNotExist("\(other)")); return nil
        }
        if sent.isEmpty { return nil }
        guard let token = TokenFormat.normalized(sent),
              let parent = try services.store.read({ try CommentsStore.comment(token: token, contentId: item.id, $0) }) else {
            errors.add(name, FieldMessage.doesNotExist(sent))
            return nil
        }
        guard parent.parentId == nil else { errors.add(name, CommentsRoutes.notTopLevel); return nil }
        return parent.id
    }

    private func post(_ ctx: Context<ItemScope>) async throws -> Response {
        let item = ctx.item
        guard item.allowComment else { throw APIError.forbidden(CommentsRoutes.closed) }
        var v = Validator(ctx.input)
        let body = v.requiredText(CommentFields.body)
        let parentId = try parent(ctx.input, item: item, into: &v.errors)
        try v.finish()
        let token = SecureRandom.uuidV4()
        let userId = ctx.caller.id
        try await services.store.write { c in
            try CommentsStore.insert(token: token, contentId: item.id, userId: userId, parentId: parentId, body: body,
                                     date: Clock.nowMicros(), c)
        }
        guard let cm = try services.store.read({ try CommentsStore.comment(token: token, contentId: item.id, $0) }) else {
            throw APIError.notFound
        }
        var w = JSONWriter(capacity: 384)
        w.beginObject(); writeComment(&w, cm, try services.users.reference(userId)); w.endObject()
        return Response.json(201, w.bytes)
    }

    private func edit(_ ctx: Context<CommentScope>, partial: Bool) async throws -> Response {
        let cm = ctx.scope.comment
        var v = Validator(ctx.input, partial: partial)
        let body = v.text(CommentFields.body)
        try v.finish()
        if let body {
            try await services.store.write { c in try CommentsStore.edit(id: cm.id, body: body, c) }
        }
        guard let fresh = try services.store.read({ try CommentsStore.comment(token: cm.token, contentId: ctx.scope.item.id, $0) })
        else { throw APIError.notFound }
        return try detail(fresh)
    }

    private func pin(_ ctx: Context<CommentScope>, partial: Bool) async throws -> Response {
        let cm = ctx.scope.comment
        var v = Validator(ctx.input, partial: partial)
        let pinned = v.bool(CommentFields.pinned)
        try v.finish()
        if let pinned {
            try await services.store.write { c in try CommentsStore.pin(id: cm.id, pinned: pinned, c) }
        }
        return Response.json(200, Array(((pinned ?? cm.pinned) ? #"{"pinned": true}"# : #"{"pinned": false}"#).utf8))
    }
}

/// The fields the comment routes read.
enum CommentFields {
    static let body = BodyField.text("body", maxLength: 400, required: true)
    static let parent = BodyField(name: "parent", kind: .token, required: false, defaultValue: nil,
                                  about: "The token of a top-level comment of the same item to reply to; null or empty: a top-level comment.")
    static let pinned = BodyField.boolean("pinned", required: true)
}
