import HTTP
import JSON
import Security
import Store

/// `/channels/v1/`: list, create, detail, update, delete (SPEC section 4).
struct ChannelsRoutes: Sendable {
    let services: Services

    static let defaultDescription = "A new channel on Tsuna Streaming."
    static let notChannelAdmin = "Only channel admins can perform this action."
    static let limitReached = "User has reached the maximum number of channels."

    func register(on api: API) {
        let tags = ["channels"]
        let limitMB = services.configuration.imageLimitMB
        let body = BodySpec.files(maxFileMB: limitMB, ChannelFields.all(imageLimitMB: limitMB))
        api.route("GET", "/channels/v1/", query: [ChannelFields.titleFilter],
                  answers: [.page(.channel, "A page of the caller's channels, newest first.")],
                  summary: "Channels the caller owns or administers (?title=)", tags: tags, list)
        api.route("POST", "/channels/v1/", body: body,
                  answers: [.created(.channelDetail, "The new channel; the caller is its owner, admin and subscriber."),
                            .refused(400, ChannelsRoutes.limitReached, fields: true)],
                  summary: "Create a channel", tags: tags, create)
        api.route("GET", "/channels/v1/:channel_token/", .channel, .withRole,
                  answers: [.ok(.channelDetail, "The channel.")],
                  summary: "A channel with its owner, the caller's role and subscribers_count", tags: tags) { ctx in
            try await detail(ctx.channel, role: ctx.role)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/channels/v1/:channel_token/", .channel,
                      .permission(.changeChannelInfo, ChannelsRoutes.notChannelAdmin), body: body,
                      answers: [.ok(.channelDetail, "The updated channel.")],
                      summary: "Update a channel (admins with can_change_channel_info)", tags: tags) {
                try await update($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", "/channels/v1/:channel_token/", .channel, .channelOwner(ChannelsRoutes.notChannelAdmin),
                  answers: [.deleted("The channel and everything in it are deleted.")],
                  summary: "Delete a channel and everything in it (owner)", tags: tags) { ctx in
            try await ChannelRemoval.delete(ctx.channel, services)
            return Response(status: 204)
        }
    }

    private func writeChannel(_ w: inout JSONWriter, _ ch: ChannelRecord) {
        w.key("title"); w.string(ch.title)
        w.key("description"); w.string(ch.description)
        w.key("avatar"); w.string(services.media.url(ch.avatar))
        w.key("thumbnail"); w.string(services.media.url(ch.thumbnail))
        w.key("token"); w.string(ch.token)
        w.key("date_created"); w.date(ch.dateCreated)
        w.key("is_verified"); w.bool(ch.isVerified)
    }

    private func list(_ ctx: Context<NoScope>) throws -> Response {
        let page = ctx.page
        let title = ctx.query(ChannelFields.titleFilter.name)
        let userId = ctx.caller.id
        let (count, rows) = try services.store.read { c -> (Int, [ChannelRecord]) in
            guard let title else {
                let (count, ids) = try ChannelAdminsStore.channelIds(userId: userId, page: page, c)
                return (count, try ChannelsStore.channels(ids: ids, c))
            }
            // An exact title names few channels: intersect them with the caller's.
            let mine = try ChannelAdminsStore.channelIds(userId: userId, c)
            let matching = try ChannelsStore.ids(title: title, c).filter(mine.contains).sorted(by: >)
            let ids = matching.dropFirst(page.offset).prefix(page.limit)
            return (matching.count, try ChannelsStore.channels(ids: Array(ids), c))
        }
        // Newest first by id (ids grow with creation): the position key of the unfiltered list.
        let keys = title == nil ? rows.first.flatMap { f in rows.last.map { ([f.id], [$0.id]) } } : nil
        return page.response(count: count, keys: keys, request: ctx.request, domain: services.domain) { w in
            for ch in rows { w.beginObject(); writeChannel(&w, ch); w.endObject() }
        }
    }

    private func detail(_ ch: ChannelRecord, role: ChannelRole?, status: Int = 200) async throws -> Response {
        let subscribers = try await services.subscriptions.count(owner: ch.id)
        let owner = try services.users.reference(ch.ownerId)
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        writeChannel(&w, ch)
        w.userRef("owner", owner)
        w.key("role")
        if let role { w.string(role.isOwner ? "owner" : "admin") } else { w.null() }
        w.key("subscribers_count"); w.int(subscribers)
        w.endObject()
        return Response.json(status, w.bytes)
    }

    /// Normal users may own 5 channels, premium 10, admins any number; a normal user who already has 6–9
    /// (made while premium) may still go up to 10 (SPEC section 4).
    static func mayCreate(role: Role, owned: Int) -> Bool {
        switch role {
        case .admin: return true
        case .premium: return owned < 10
        case .normal: return owned < 5 || (owned >= 6 && owned < 10)
        }
    }

    private func create(_ ctx: Context<NoScope>) async throws -> Response {
        let limitMB = services.configuration.imageLimitMB
        var v = Validator(ctx.input)
        let title = v.requiredText(ChannelFields.title)
        let description = v.text(ChannelFields.description)
        let avatar = v.image(ChannelFields.avatar(limitMB))
        let thumbnail = v.image(ChannelFields.thumbnail(limitMB))
        try v.finish()
        let caller = ctx.caller
        let owned = try services.store.read { try ChannelsStore.ownedCount(userId: caller.id, $0) }
        guard ChannelsRoutes.mayCreate(role: caller.role, owned: owned) else { throw APIError.nonField(ChannelsRoutes.limitReached) }
        var stored = StoredFiles(services.media)
        let token = SecureRandom.uuidV4(), adminToken = SecureRandom.uuidV4()
        do {
            let avatarPath = try stored.store(avatar, folder: "avatars")
            let thumbnailPath = try stored.store(thumbnail, folder: "thumbnails")
            let now = Clock.nowMicros()
            let desc = (description?.isEmpty ?? true) ? ChannelsRoutes.defaultDescription : description ?? ""
            let mailer = services.mailer
            try await services.store.write { c in
                // Re-checked under the write lock so concurrent creates cannot pass the limit together.
                guard ChannelsRoutes.mayCreate(role: caller.role, owned: try ChannelsStore.ownedCount(userId: caller.id, c)) else {
                    throw APIError.nonField(ChannelsRoutes.limitReached)
                }
                let id = try ChannelsStore.insert(ownerId: caller.id, token: token, title: title, description: desc,
                                                  avatar: avatarPath, thumbnail: thumbnailPath, now: now, c)
                // The owner is an admin with every permission and a subscriber from the start.
                try ChannelAdminsStore.insertOwner(token: adminToken, channelId: id, ownerId: caller.id, now: now, c)
                try DatedTable.subscriptions.upsert(c, owner: id, user: caller.id, value: Subscription(date: now))
                try ChannelsMail.queueCreated(c, mailer: mailer, to: caller.email, name: caller.displayName,
                                              title: title, token: token)
            }
            mailer.wake()
        } catch {
            stored.rollBack()
            throw error
        }
        guard let ch = try services.channels.channel(token: token),
              let role = try services.channelRole(ch, caller) else { throw APIError.notFound }
        return try await detail(ch, role: role, status: 201)
    }

    private func update(_ ctx: Context<ChannelScope>, partial: Bool) async throws -> Response {
        let ch = ctx.channel
        let limitMB = services.configuration.imageLimitMB
        var v = Validator(ctx.input, partial: partial)
        let title = v.text(ChannelFields.title)
        let description = v.text(ChannelFields.description)
        let avatar = v.image(ChannelFields.avatar(limitMB))
        let thumbnail = v.image(ChannelFields.thumbnail(limitMB))
        try v.finish()
        var stored = StoredFiles(services.media)
        do {
            let avatarPath = try stored.store(avatar, folder: "avatars") ?? ch.avatar
            let thumbnailPath = try stored.store(thumbnail, folder: "thumbnails") ?? ch.thumbnail
            let newTitle = title ?? ch.title
            let newDescription = description.map { $0.isEmpty ? ChannelsRoutes.defaultDescription : $0 } ?? ch.description
            try await services.store.write { c in
                try ChannelsStore.update(id: ch.id, title: newTitle, description: newDescription, avatar: avatarPath,
                                         thumbnail: thumbnailPath, c)
            }
            services.channels.invalidate(ch)
            if avatarPath != ch.avatar { services.media.remove(ch.avatar) }
            if thumbnailPath != ch.thumbnail { services.media.remove(ch.thumbnail) }
        } catch {
            stored.rollBack()
            throw error
        }
        guard let fresh = try services.channels.channel(token: ch.token) else { throw APIError.notFound }
        return try await detail(fresh, role: ctx.role)
    }
}

/// A channel's fields: the validator's limits and the document's are these.
enum ChannelFields {
    static let title = BodyField.text("title", maxLength: 240, required: true)
    static let description = BodyField.text("description", maxLength: 500, blank: true,
                                            default: ChannelsRoutes.defaultDescription)
    static let titleFilter = BodyField.text("title", about: "Only channels with exactly this title.")
    static func avatar(_ limitMB: Int) -> BodyField { .image("avatar", limitMB: limitMB) }
    static func thumbnail(_ limitMB: Int) -> BodyField { .image("thumbnail", limitMB: limitMB) }
    static func all(imageLimitMB: Int) -> [BodyField] { [title, description, avatar(imageLimitMB), thumbnail(imageLimitMB)] }
}

/// Deleting a channel, the same from the owner's API call, the administration panel and account deletion.
enum ChannelRemoval {
    /// Removes the channel's rows (contents, votes, comments, views, subscribers and admins by cascade), what the
    /// write-behind caches still hold for it and its contents, and its media files.
    static func delete(_ ch: ChannelRecord, _ services: Services) async throws {
        let (files, contentIds) = try await services.store.write { c -> ([String], [Int64]) in
            let contents = try ContentsStore.filesAndIds(channelId: ch.id, c)
            try ChannelsStore.delete(id: ch.id, c)
            return contents
        }
        services.channels.invalidate(ch)
        await services.subscriptions.forgetOwner(ch.id)
        await services.forgetContents(contentIds)
        services.media.remove(files + [ch.avatar, ch.thumbnail].compactMap { $0 })
    }
}
