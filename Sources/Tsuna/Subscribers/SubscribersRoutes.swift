import HTTP
import Store

/// `/channel_subscribers/v1/<channel_token>/`: status, subscribe, unsubscribe, list (SPEC section 5).
/// Subscriptions go through the write-behind cache: acknowledged from memory, flushed to SQLite in batches.
struct SubscribersRoutes {
    let api: API
    var services: Services { api.services }

    func register() {
        let tags = ["channel subscribers"]
        let base = "/channel_subscribers/v1/:channel_token/"
        api.route("GET", base, summary: "Is the caller subscribed (true/false)", tags: tags) { try await status($0) }
        api.route("POST", base + "create/", summary: "Subscribe", tags: tags) { try await subscribe($0) }
        api.route("DELETE", base + "delete/", summary: "Unsubscribe (not the owner; an admin stops being admin)",
                  tags: tags) { try await unsubscribe($0) }
        api.route("GET", base + "list/", summary: "Subscribers, oldest first", tags: tags) { try await list($0) }
    }

    private func channel(_ ctx: Context) throws -> ChannelRecord {
        try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
    }

    private func status(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        let subscribed = try await services.subscriptions.contains(owner: ch.id, user: ctx.user.id)
        return Response.json(200, subscribed ? SubscribersRoutes.trueBody : SubscribersRoutes.falseBody)
    }

    static let trueBody = Array("true".utf8)
    static let falseBody = Array("false".utf8)
    static let subscribedBody = Array(#"{"subscribed": true}"#.utf8)

    private func subscribe(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        let inserted = try await services.subscriptions.insertIfAbsent(owner: ch.id, user: ctx.user.id,
                                                                       value: Subscription(date: Clock.nowMicros()))
        guard inserted else { throw APIError.forbidden("You are already subscribed to this channel.") }
        return Response.json(201, SubscribersRoutes.subscribedBody)
    }

    private func unsubscribe(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        if ch.ownerId == ctx.user.id {
            // The owner is always subscribed; say so only to someone who is.
            guard try await services.subscriptions.contains(owner: ch.id, user: ctx.user.id) else {
                throw APIError.forbidden("You haven't subscribed yet.")
            }
            throw APIError.forbidden("Channel owner can not unsubscribe.")
        }
        guard try await services.subscriptions.remove(owner: ch.id, user: ctx.user.id) != nil else {
            throw APIError.forbidden("You haven't subscribed yet.")
        }
        // An admin who unsubscribes stops being an admin at once (not only after a flush). Most subscribers are
        // not admins: a read spares them the writer.
        let userId = ctx.user.id
        if try services.store.read({ try ChannelAdminsStore.isAdmin(channelId: ch.id, userId: userId, $0) }) {
            try await services.store.write { c in try ChannelAdminsStore.demote(channelId: ch.id, userId: userId, c) }
        }
        return Response(status: 204)
    }

    private func list(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        return try await Page(ctx.request).userList(services.subscriptions, owner: ch.id, ctx: ctx) { w, value in
            w.key("date"); w.date(value.date)
        }
    }
}
