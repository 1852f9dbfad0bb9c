import HTTP

/// The item-scoped permission layer that contents, votes, comments and viewers share.
enum ContentAccess {
    static let privateContent = "You dont have permission to retrieve private contents."

    /// A `<ct>` path segment, or 404 "Content type not found.".
    static func kind(_ raw: String) throws -> ContentKind {
        guard let kind = ContentKind(pathSegment: raw) else {
            throw HTTPErrorResponse(Response.detail(404, ContentKind.notFoundMessage))
        }
        return kind
    }

    /// The item of `kind` named by a path token, or 404.
    static func content(kind: ContentKind, token raw: String, services: Services) throws -> ContentRecord {
        guard let token = TokenFormat.normalized(raw),
              let item = try services.store.read({ try ContentsStore.content(kind: kind, token: token, $0) }) else {
            throw APIError.notFound()
        }
        return item
    }

    /// The caller's admin record in the item's channel, nil when not an admin.
    static func role(_ item: ContentRecord, user: Caller, services: Services) throws -> ChannelRole? {
        try services.store.read {
            try ChannelAccess.role(channelId: item.channelId, ownerId: item.channelOwnerId, userId: user.id, $0)
        }
    }

    /// `/<feature>/v1/<ct>/<object_token>/…`: the item (404s first), then, for an unpublished item, 403 unless
    /// the caller administers its channel. Returns the item and the caller's role.
    /// `needsRole`: the caller's role is looked up for published items too (otherwise only when it decides
    /// access: most requests are on published items and need no admin query).
    static func visibleItem(_ ctx: Context, needsRole: Bool = false) throws -> (item: ContentRecord, role: ChannelRole?) {
        let kind = try kind(ctx.parameter("ct"))
        let item = try content(kind: kind, token: ctx.parameter("object_token"), services: ctx.services)
        let role = (needsRole || !item.isPublished) ? try role(item, user: ctx.user, services: ctx.services) : nil
        if !item.isPublished && role == nil { throw APIError.forbidden(privateContent) }
        return (item, role)
    }

    /// How long a signed URL of a private file stays valid: between one and two hours, so the URL is stable
    /// within an hour (clients and proxies can cache it).
    static let signedURLPeriod: Int64 = 3600

    /// The absolute URL of the item's file; a private file's URL carries an expiring signature.
    static func fileURL(_ item: ContentRecord, services: Services) -> String {
        let path = "/media/" + item.file
        if item.isPublished { return services.domain + path }
        let expires = (Clock.nowSeconds() / signedURLPeriod + 2) * signedURLPeriod
        return services.domain + path + "?" + services.urlSigner.query(path: path, expires: expires)
    }

    /// Whether `/media/<relative>` may be served: images and published content files to anyone; a private
    /// content file only with a valid signature. nil: the path names a content file that does not exist.
    static func mediaAllowed(relative rawPath: String, expires: String?, signature: String?, services: Services) throws -> Bool? {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = segments.first, let folder = PercentEncoding.decode(first, plusAsSpace: false),
              folder == ContentKind.video.folder || folder == ContentKind.music.folder else { return true }
        guard segments.count == 2, let name = PercentEncoding.decode(segments[1], plusAsSpace: false),
              let stem = name.split(separator: ".", maxSplits: 1).first,
              let token = TokenFormat.normalized(String(stem)),
              let published = try services.store.read({ try ContentsStore.isPublished(token: token, $0) }) else { return nil }
        if published { return true }
        return services.urlSigner.verify(path: "/media/" + rawPath, expires: expires, signature: signature,
                                         now: Clock.nowSeconds())
    }
}
