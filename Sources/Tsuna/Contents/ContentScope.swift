/// Whether a loader enforces SPEC's visibility rule: an unpublished item only for its channel's admins (403
/// `You dont have permission to retrieve private contents.`).
enum ItemVisibility: Sendable {
    case checked
    /// The route decides access itself (e.g. viewers: admins only, published or not).
    case unchecked
}

/// An item named by `:ct/:object_token` (votes, comments, viewers) or by its channel and `:token` (contents),
/// with its channel and, when needed, the caller's role there.
struct ItemScope: RoleScoped {
    let item: ContentRecord
    let channel: ChannelRecord
    let role: ChannelRole?
}

extension Context where Scope == ItemScope {
    var item: ContentRecord { scope.item }
}

extension Loader where Scope == ItemScope {
    /// `:ct/:object_token` → the item of that content type (404 for an unknown type or item).
    static func item(visibility: ItemVisibility) -> Loader {
        Loader { r in
            let kind = try ItemScope.kind(r.parameter("ct"))
            let item = try ItemScope.content(kind, r.parameter("object_token"), r.services)
            return try ItemScope.resolve(item, channel: try ItemScope.channel(of: item, r.services), r, visibility)
        }
    }

    /// `:channel_token/:token` of a `kind`'s routes → the item, 404 unless it is in that channel.
    static func channelItem(_ kind: ContentKind, visibility: ItemVisibility) -> Loader {
        Loader { r in
            let channel = try ChannelScope.channel(r.parameter("channel_token"), r.services)
            let item = try ItemScope.content(kind, r.parameter("token"), r.services)
            guard item.channelId == channel.id else { throw APIError.notFound }
            return try ItemScope.resolve(item, channel: channel, r, visibility)
        }
    }
}

extension ItemScope {
    static let privateContent = "You dont have permission to retrieve private contents."

    /// A `<ct>` path segment, or 404 "Content type not found.".
    static func kind(_ raw: String) throws(APIError) -> ContentKind {
        guard let kind = ContentKind(pathSegment: raw) else { throw .detail(404, ContentKind.notFoundMessage) }
        return kind
    }

    /// The item of `kind` named by a path token, or 404.
    static func content(_ kind: ContentKind, _ raw: String, _ services: Services) throws -> ContentRecord {
        guard let token = TokenFormat.normalized(raw),
              let item = try services.store.read({ try ContentsStore.content(kind: kind, token: token, $0) }) else {
            throw APIError.notFound
        }
        return item
    }

    static func channel(of item: ContentRecord, _ services: Services) throws -> ChannelRecord {
        guard let channel = try services.channels.channel(id: item.channelId) else { throw APIError.notFound }
        return channel
    }

    /// Most requests are on published items and need no role query; a private one needs it to decide access.
    static func resolve(_ item: ContentRecord, channel: ChannelRecord, _ r: ScopeRequest,
                        _ visibility: ItemVisibility) throws -> ItemScope {
        let guarded = visibility == .checked && !item.isPublished
        let role = (r.needsRole || guarded) ? try r.services.channelRole(channel, r.caller) : nil
        if guarded && role == nil { throw APIError.forbidden(privateContent) }
        return ItemScope(item: item, channel: channel, role: role)
    }
}
