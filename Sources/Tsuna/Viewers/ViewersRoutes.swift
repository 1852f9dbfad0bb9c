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
        let page = Page(ctx.request)
        let count = try await services.views.count(owner: item.id)
        let rows = try await services.views.page(owner: item.id, limit: page.limit, offset: page.offset)
        let names = try services.store.read { try UserNames.byId(rows.map(\.user), $0) }
        return page.response(count: count, results: { w in
            for row in rows {
                let user = names[row.user]
                w.beginObject()
                w.userRef("user", name: user?.name, token: user?.token)
                w.key("date"); w.date(row.value.date)
                w.endObject()
            }
        }, request: ctx.request, domain: services.domain)
    }
}
