import HTTP

/// `/viewers/v1/<ct>/<object_token>/list/`: who viewed an item, for its channel's admins (SPEC section 9).
struct ViewersRoutes {
    let api: API
    var services: Services { api.services }

    func register() {
        api.route("GET", "/viewers/v1/:ct/:object_token/list/", summary: "Viewers of an item (its channel's admins)",
                  tags: ["viewers"]) { try await list($0) }
    }

    private func list(_ ctx: Context) async throws -> Response {
        let kind = try ContentAccess.kind(ctx.parameter("ct"))
        let item = try ContentAccess.content(kind: kind, token: ctx.parameter("object_token"), services: services)
        guard try ContentAccess.role(item, user: ctx.user, services: services) != nil else {
            throw APIError.forbidden(ChannelAccess.notAdmin)
        }
        return try await Page(ctx.request).userList(services.views, owner: item.id, ctx: ctx) { w, value in
            w.key("date"); w.date(value.date)
        }
    }
}
