import HTTP
import JSON

/// `/viewers/v1/<ct>/<object_token>/list/`: who viewed an item, for its channel's admins (SPEC section 9).
struct ViewersRoutes: Sendable {
    let services: Services

    func register(on api: API) {
        // Only admins see viewers, whether the item is published or not: the item's visibility is not checked.
        api.route("GET", "/viewers/v1/:ct/:object_token/list/", .item(visibility: .unchecked),
                  .channelAdmin(ChannelScope.notAdmin), answers: [.page(.viewer, "A page of viewers, oldest first.")],
                  summary: "Viewers of an item (its channel's admins)",
                  tags: ["viewers"]) { ctx in
            try await ctx.page.userList(services.views, owner: ctx.item.id, request: ctx.request,
                                                 services: services) { w, value in
                w.key("date"); w.date(value.date)
            }
        }
    }
}
