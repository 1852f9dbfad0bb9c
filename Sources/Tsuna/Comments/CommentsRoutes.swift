import HTTP
import JSON
import Security
import Store

/// `/comments/v1/<ct>/<object_token>/`: list, post, detail with replies, edit, delete, pin (SPEC section 9).
struct CommentsRoutes {
    let api: API
    var services: Services { api.services }

    static let closed = "Comments are not allowed for this object."
    static let notAuthor = "You are not the owner of this comment."
    static let notChannelAdmin = "You are not the channel admin."
    static let notTopLevel = "Replies can only be made to top-level comments."

    func register() {
        let tags = ["comments"]
        let base = "/comments/v1/:ct/:object_token/"
        api.route("GET", base, summary: "Top-level comments, pinned first then newest", tags: tags) { try list($0) }
        api.route("POST", base, summary: "Comment, or reply to a top-level comment", tags: tags) { try await post($0) }
        api.route("GET", base + ":comment_token/", summary: "A comment with its replies (oldest first)", tags: tags) {
            try detail($0)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":comment_token/", summary: "Edit a comment's body (its author)", tags: tags) {
                try await edit($0, partial: method == "PATCH")
            }
            api.route(method, base + ":comment_token/pin/", summary: "Pin or unpin a comment (channel admins)", tags: tags) {
                try await pin($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", base + ":comment_token/", summary: "Delete a comment and its replies (author or channel admin)",
                  tags: tags) { try await delete($0) }
    }

    private func writeComment(_ w: inout JSONWriter, _ cm: CommentRecord) {
        w.key("parent"); w.string(cm.parentToken)
        w.userRef("user", name: cm.userName, token: cm.userToken)
        w.key("body"); w.string(cm.body)
        w.key("date"); w.date(cm.date)
        w.key("edited"); w.bool(cm.edited)
        w.key("pinned"); w.bool(cm.pinned)
        w.key("token"); w.string(cm.token)
        w.key("replies_count"); w.int(cm.repliesCount)
    }

    /// The comment named in the path on the item, or 404.
    private func comment(_ ctx: Context, item: ContentRecord) throws -> CommentRecord {
        guard let token = TokenFormat.normalized(ctx.parameter("comment_token")),
              let cm = try services.store.read({ try CommentsStore.comment(token: token, contentId: item.id, $0) }) else {
            throw APIError.notFound()
        }
        return cm
    }

    private func list(_ ctx: Context) throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        let page = Page(ctx.request)
        let (count, rows) = try services.store.read {
            try CommentsStore.topLevel(contentId: item.id, limit: page.limit, offset: page.offset, $0)
        }
        return page.response(count: count, results: { w in
            for cm in rows { w.beginObject(); writeComment(&w, cm); w.endObject() }
        }, request: ctx.request, domain: services.domain)
    }

    private func detailResponse(_ cm: CommentRecord, status: Int = 200) throws -> Response {
        let replies = try services.store.read { try CommentsStore.replies(parentId: cm.id, $0) }
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        writeComment(&w, cm)
        w.key("replies"); w.beginArray()
        for r in replies {
            w.beginObject()
            w.userRef("user", name: r.userName, token: r.userToken)
            w.key("body"); w.string(r.body)
            w.key("date"); w.date(r.date)
            w.key("token"); w.string(r.token)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return Response.json(status, w.bytes)
    }

    private func detail(_ ctx: Context) throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        return try detailResponse(try comment(ctx, item: item))
    }

    /// The `parent` field: nil/absent/empty → top level; otherwise a top-level comment of the same item.
    private func parent(_ input: Input, item: ContentRecord, into errors: inout FieldErrors) throws -> Int64? {
        let sent: String
        switch input["parent"] {
        case nil, .null?: return nil
        case .string(let s)?: sent = s
        case .number(let n)?: sent = n.text
        case let other?: errors.add("parent", FieldMessage.doesNotExist("\(other)")); return nil
        }
        if sent.isEmpty { return nil }
        guard let token = TokenFormat.normalized(sent),
              let parent = try services.store.read({ try CommentsStore.comment(token: token, contentId: item.id, $0) }) else {
            errors.add("parent", FieldMessage.doesNotExist(sent))
            return nil
        }
        guard parent.parentId == nil else { errors.add("parent", CommentsRoutes.notTopLevel); return nil }
        return parent.id
    }

    private func post(_ ctx: Context) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        guard item.allowComment else { throw APIError.forbidden(CommentsRoutes.closed) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let body = v.string("body", required: true, maxLength: 400)
        let parentId = try parent(input, item: item, into: &v.errors)
        try v.finish()
        guard let body else { throw APIError.field("body", FieldMessage.required) }
        let token = SecureRandom.uuidV4()
        let userId = ctx.user.id
        try await services.store.write { c in
            try CommentsStore.insert(token: token, contentId: item.id, userId: userId, parentId: parentId, body: body,
                                     date: Clock.nowMicros(), c)
        }
        guard let cm = try services.store.read({ try CommentsStore.comment(token: token, contentId: item.id, $0) }) else {
            throw APIError.notFound()
        }
        var w = JSONWriter(capacity: 384)
        w.beginObject(); writeComment(&w, cm); w.endObject()
        return Response.json(201, w.bytes)
    }

    private func edit(_ ctx: Context, partial: Bool) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        let cm = try comment(ctx, item: item)
        guard cm.userId == ctx.user.id else { throw APIError.forbidden(CommentsRoutes.notAuthor) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input, partial: partial)
        let body = v.string("body", required: true, maxLength: 400)
        try v.finish()
        if let body {
            try await services.store.write { c in try CommentsStore.edit(id: cm.id, body: body, c) }
        }
        return try detailResponse(try comment(ctx, item: item))
    }

    private func pin(_ ctx: Context, partial: Bool) async throws -> Response {
        let (item, role) = try ContentAccess.visibleItem(ctx, needsRole: true)
        let cm = try comment(ctx, item: item)
        guard role != nil else { throw APIError.forbidden(CommentsRoutes.notChannelAdmin) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input, partial: partial)
        let pinned = v.bool("pinned", required: true)
        try v.finish()
        if let pinned {
            try await services.store.write { c in try CommentsStore.pin(id: cm.id, pinned: pinned, c) }
        }
        let result = pinned ?? cm.pinned
        return Response.json(200, Array((result ? #"{"pinned": true}"# : #"{"pinned": false}"#).utf8))
    }

    private func delete(_ ctx: Context) async throws -> Response {
        let (item, role) = try ContentAccess.visibleItem(ctx, needsRole: true)
        let cm = try comment(ctx, item: item)
        guard cm.userId == ctx.user.id || role != nil else { throw APIError.forbidden(CommentsRoutes.notAuthor) }
        try await services.store.write { c in try CommentsStore.delete(id: cm.id, c) }
        return Response(status: 204)
    }
}
