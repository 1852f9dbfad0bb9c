import HTTP
import JSON
import Store

/// `/channel_subscribers/v1/<channel_token>/`: status, subscribe, unsubscribe, list (SPEC section 5).
/// Subscriptions go through the write-behind cache: acknowledged from memory, flushed to SQLite in batches.
struct SubscribersRoutes: Sendable {
    let services: Services

    static let subscribedBody = Array(#"{"subscribed": true}"#.utf8)
    static let notSubscribed = "You haven't subscribed yet."
    static let alreadySubscribed = "You are already subscribed to this channel."
    static let ownerStays = "Channel owner can not unsubscribe."

    func register(on api: API) {
        let tags = ["channel subscribers"]
        let base = "/channel_subscribers/v1/:channel_token/"
        api.route("GET", base, .channel, answers: [.ok(.isSubscribed, "true or false.")],
                  summary: "Is the caller subscribed (true/false)", tags: tags) { ctx in
            let subscribed = try await services.subscriptions.contains(owner: ctx.channel.id, user: ctx.caller.id)
            return Response.json(200, subscribed ? Wire.trueBody : Wire.falseBody)
        }
        api.route("POST", base + "create/", .channel,
                  answers: [.created(.subscribed, "{\"subscribed\": true}"),
                            .refused(403, SubscribersRoutes.alreadySubscribed)],
                  summary: "Subscribe", tags: tags, subscribe)
        api.route("DELETE", base + "delete/", .channel,
                  answers: [.deleted("Unsubscribed."),
                            .refused(403, SubscribersRoutes.notSubscribed, SubscribersRoutes.ownerStays)],
                  summary: "Unsubscribe (not the owner; an admin stops being admin)", tags: tags, unsubscribe)
        api.route("GET", base + "list/", .channel, answers: [.page(.subscriber, "A page of subscribers, oldest first.")],
                  summary: "Subscribers, oldest first", tags: tags) { ctx in
            try await ctx.page.userList(services.subscriptions, owner: ctx.channel.id, request: ctx.request,
                                                 services: services) { w, value in
                w.key("date"); w.date(value.date)
            }
        }
    }

    private func subscribe(_ ctx: Context<ChannelScope>) async throws -> Response {
        let inserted = try await services.subscriptions.insertIfAbsent(owner: ctx.channel.id, user: ctx.caller.id,
                                                                       value: Subscription(date: Clock.nowMicros()))
        guard inserted else { throw APIError.forbidden(SubscribersRoutes.alreadySubscribed) }
        return Response.json(201, SubscribersRoutes.subscribedBody)
    }

    private func unsubscribe(_ ctx: Context<ChannelScope>) async throws -> Response {
        let (ch, userId) = (ctx.channel, ctx.caller.id)
        if ch.ownerId == userId {
            // The owner is always subscribed; say so only to someone who is.
            guard try await services.subscriptions.contains(owner: ch.id, user: userId) else {
                throw APIError.forbidden(SubscribersRoutes.notSubscribed)
            }
            throw APIError.forbidden(SubscribersRoutes.ownerStays)
        }
        guard try await services.subscriptions.remove(owner: ch.id, user: userId) != nil else {
            throw APIError.forbidden(SubscribersRoutes.notSubscribed)
        }
        // An admin who unsubscribes stops being an admin at once (not only after a flush). Most subscribers are
        // not admins: a read spares them the writer.
        if try services.store.read({ try ChannelAdminsStore.isAdmin(channelId: ch.id, userId: userId, $0) }) {
            try await services.store.write { c in try ChannelAdminsStore.demote(channelId: ch.id, userId: userId, c) }
        }
        return Response(status: 204)
    }
}
