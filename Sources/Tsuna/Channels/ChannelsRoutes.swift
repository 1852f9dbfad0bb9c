import Foundation
import HTTP
import JSON
import Security
import Store

/// `/channels/v1/`: list, create, detail, update, delete (SPEC section 4).
struct ChannelsRoutes {
    let api: API
    var services: Services { api.services }

    static let defaultDescription = "A new channel on Tsuna Streaming."
    static let forbidden = "Only channel admins can perform this action."

    func register() {
        let tags = ["channels"]
        let imageBody = (services.configuration.imageLimitMB + 1) * 1_048_576
        api.route("GET", "/channels/v1/", summary: "Channels the caller owns or administers (?title=)", tags: tags) {
            try list($0)
        }
        api.route("POST", "/channels/v1/", bodyLimit: imageBody, summary: "Create a channel", tags: tags) {
            try await create($0)
        }
        api.route("GET", "/channels/v1/:channel_token/", summary: "A channel with its owner, the caller's role and subscribers_count",
                  tags: tags) { try await detail($0) }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/channels/v1/:channel_token/", bodyLimit: imageBody,
                      summary: "Update a channel (admins with can_change_channel_info)", tags: tags) {
                try await update($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", "/channels/v1/:channel_token/", summary: "Delete a channel and everything in it (owner)",
                  tags: tags) { try await delete($0) }
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

    private func list(_ ctx: Context) throws -> Response {
        let page = Page(ctx.request)
        let title = ctx.request.query("title")
        let (count, rows) = try services.store.read {
            try ChannelsStore.listForUser(userId: ctx.user.id, title: title, limit: page.limit, offset: page.offset, $0)
        }
        return page.response(count: count, results: { w in
            for ch in rows { w.beginObject(); writeChannel(&w, ch); w.endObject() }
        }, request: ctx.request, domain: services.domain)
    }

    private func detailResponse(_ ch: ChannelRecord, caller: Caller, status: Int = 200) async throws -> Response {
        let role = try ChannelAccess.role(ch, user: caller, services: services)
        let subscribers = try await services.subscriptions.count(owner: ch.id)
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        writeChannel(&w, ch)
        w.userRef("owner", name: ch.ownerName, token: ch.ownerToken)
        w.key("role")
        if let role { w.string(role.isOwner ? "owner" : "admin") } else { w.null() }
        w.key("subscribers_count"); w.int(subscribers)
        w.endObject()
        return Response.json(status, w.bytes)
    }

    private func detail(_ ctx: Context) async throws -> Response {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        return try await detailResponse(ch, caller: ctx.user)
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

    private func create(_ ctx: Context) async throws -> Response {
        let config = services.configuration
        let input = try Input.parse(ctx.request, fileLimit: (config.imageLimitMB + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input)
        let title = v.string("title", required: true, maxLength: 240)
        let description = v.string("description", maxLength: 500, allowBlank: true)
        let avatarKind = input.file("avatar").flatMap { MediaStorage.validateImage($0, field: "avatar", limitMB: config.imageLimitMB, into: &v.errors) }
        let thumbKind = input.file("thumbnail").flatMap { MediaStorage.validateImage($0, field: "thumbnail", limitMB: config.imageLimitMB, into: &v.errors) }
        try v.finish()
        guard let title else { throw APIError.field("title", FieldMessage.required) }
        let caller = ctx.user
        let owned = try services.store.read { try ChannelsStore.ownedCount(userId: caller.id, $0) }
        guard ChannelsRoutes.mayCreate(role: caller.role, owned: owned) else {
            throw APIError.nonField("User has reached the maximum number of channels.")
        }
        var stored: [String] = []
        do {
            let avatar = try input.file("avatar").flatMap { f in try avatarKind.map { try services.media.store(f, folder: "avatars", fileExtension: $0.fileExtension) } }
            if let avatar { stored.append(avatar) }
            let thumbnail = try input.file("thumbnail").flatMap { f in try thumbKind.map { try services.media.store(f, folder: "thumbnails", fileExtension: $0.fileExtension) } }
            if let thumbnail { stored.append(thumbnail) }
            let token = SecureRandom.uuidV4(), adminToken = SecureRandom.uuidV4()
            let now = Clock.nowMicros()
            let desc = (description?.isEmpty ?? true) ? ChannelsRoutes.defaultDescription : description!
            let mailer = services.mailer
            try await services.store.write { c in
                // Re-checked under the write lock so concurrent creates cannot pass the limit together.
                let owned = try ChannelsStore.ownedCount(userId: caller.id, c)
                guard ChannelsRoutes.mayCreate(role: caller.role, owned: owned) else {
                    throw APIError.nonField("User has reached the maximum number of channels.")
                }
                _ = try ChannelsStore.create(ownerId: caller.id, token: token, adminToken: adminToken, title: title,
                                             description: desc, avatar: avatar, thumbnail: thumbnail, now: now, c)
                try ChannelsMail.queueCreated(c, mailer: mailer, to: caller.email, name: caller.displayName,
                                              title: title, token: token)
            }
            mailer.wake()
            guard let ch = try services.store.read({ try ChannelsStore.channel(token: token, $0) }) else {
                throw APIError.notFound()
            }
            return try await detailResponse(ch, caller: caller, status: 201)
        } catch {
            for path in stored { services.media.remove(path) }
            throw error
        }
    }

    private func update(_ ctx: Context, partial: Bool) async throws -> Response {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        guard let role = try ChannelAccess.role(ch, user: ctx.user, services: services), role.has(.changeChannelInfo) else {
            throw APIError.forbidden(ChannelsRoutes.forbidden)
        }
        let config = services.configuration
        let input = try Input.parse(ctx.request, fileLimit: (config.imageLimitMB + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input, partial: partial)
        let title = v.string("title", required: true, maxLength: 240)
        let description = v.string("description", maxLength: 500, allowBlank: true)
        let avatarKind = input.file("avatar").flatMap { MediaStorage.validateImage($0, field: "avatar", limitMB: config.imageLimitMB, into: &v.errors) }
        let thumbKind = input.file("thumbnail").flatMap { MediaStorage.validateImage($0, field: "thumbnail", limitMB: config.imageLimitMB, into: &v.errors) }
        try v.finish()
        var stored: [String] = []
        do {
            var avatar = ch.avatar, thumbnail = ch.thumbnail
            if let f = input.file("avatar"), let kind = avatarKind {
                avatar = try services.media.store(f, folder: "avatars", fileExtension: kind.fileExtension)
                stored.append(avatar!)
            }
            if let f = input.file("thumbnail"), let kind = thumbKind {
                thumbnail = try services.media.store(f, folder: "thumbnails", fileExtension: kind.fileExtension)
                stored.append(thumbnail!)
            }
            let newTitle = title ?? ch.title
            let newDescription = description.map { $0.isEmpty ? ChannelsRoutes.defaultDescription : $0 } ?? ch.description
            let (a, t) = (avatar, thumbnail)
            try await services.store.write { c in
                try ChannelsStore.update(id: ch.id, title: newTitle, description: newDescription, avatar: a, thumbnail: t, c)
            }
            services.channels.invalidate(ch.token)
            if avatar != ch.avatar { services.media.remove(ch.avatar) }
            if thumbnail != ch.thumbnail { services.media.remove(ch.thumbnail) }
        } catch {
            for path in stored { services.media.remove(path) }
            throw error
        }
        guard let fresh = try services.store.read({ try ChannelsStore.channel(token: ch.token, $0) }) else { throw APIError.notFound() }
        return try await detailResponse(fresh, caller: ctx.user)
    }

    private func delete(_ ctx: Context) async throws -> Response {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        guard ch.ownerId == ctx.user.id else { throw APIError.forbidden(ChannelsRoutes.forbidden) }
        let (files, contentIds) = try await services.store.write { c -> ([String], [Int64]) in
            let files = try ChannelsStore.contentFiles(channelId: ch.id, c)
            let ids = try ChannelsStore.contentIds(channelId: ch.id, c)
            try ChannelsStore.delete(id: ch.id, c)
            return (files, ids)
        }
        services.channels.invalidate(ch.token)
        // The caches drop what they still hold for the channel and its contents (rows are gone by cascade).
        await services.subscriptions.forgetOwner(ch.id)
        for hook in services.contentDeletionHooks { await hook(contentIds) }
        for path in files + [ch.avatar, ch.thumbnail].compactMap({ $0 }) { services.media.remove(path) }
        return Response(status: 204)
    }
}
