import HTTP
import JSON

/// The JSON shapes of a content item (SPEC section 7), spelled once.
struct ContentsJSON {
    let services: Services

    /// A row of the channel's list.
    func writeRow(_ w: inout JSONWriter, _ item: ContentRecord, _ channel: ChannelRecord, _ uploader: UserRef?) {
        w.beginObject()
        w.key("title"); w.string(item.title)
        w.key("thumbnail"); w.string(services.media.url(item.thumbnail))
        w.key("token"); w.string(item.token)
        w.key("channel"); w.string(channel.title)
        w.key("channel_token"); w.string(channel.token)
        w.key("date"); w.date(item.date)
        w.userRef("user", uploader)
        w.key("is_published"); w.bool(item.isPublished)
        w.endObject()
    }

    /// The answer to a create.
    func created(_ item: ContentRecord) -> Response {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("title"); w.string(item.title)
        w.key("description"); w.string(item.description)
        w.key("file"); w.string(ContentMedia.fileURL(item, services))
        w.key("thumbnail"); w.string(services.media.url(item.thumbnail))
        w.key("allow_comment"); w.bool(item.allowComment)
        w.key("visibility"); w.string(item.isPublished ? "pu" : "pr")
        w.key("date"); w.date(item.date)
        w.key("token"); w.string(item.token)
        w.endObject()
        return Response.json(201, w.bytes)
    }

    /// The detail object with its counts (views, up and down votes) from the caches.
    func detail(_ item: ContentRecord, _ channel: ChannelRecord) async throws -> Response {
        let viewers = try await services.views.count(owner: item.id)
        let votes = try await services.votes.counts(owner: item.id)
        let uploader = try item.userId.flatMap { try services.users.reference($0) }
        var w = JSONWriter(capacity: 768)
        w.beginObject()
        w.key("title"); w.string(item.title)
        w.key("description"); w.string(item.description)
        w.key("file"); w.string(ContentMedia.fileURL(item, services))
        w.key("thumbnail"); w.string(services.media.url(item.thumbnail))
        w.key("token"); w.string(item.token)
        w.userRef("user", uploader)
        w.key("channel"); w.string(channel.title)
        w.key("channel_token"); w.string(channel.token)
        w.key("date"); w.date(item.date)
        w.key("visibility"); w.string(item.isPublished ? "pu" : "pr")
        w.key("visibility_display"); w.string(item.isPublished ? "Public" : "Private")
        w.key("is_updated"); w.bool(item.isUpdated)
        w.key("is_published"); w.bool(item.isPublished)
        w.key("allow_comment"); w.bool(item.allowComment)
        w.key("viewers_count"); w.int(viewers)
        w.key("upvotes"); w.int(votes.first ?? 0)
        w.key("downvotes"); w.int(votes.count > 1 ? votes[1] : 0)
        w.key("content_type_id"); w.int(Int(item.kind.rawValue))
        w.endObject()
        return Response.json(200, w.bytes)
    }
}
