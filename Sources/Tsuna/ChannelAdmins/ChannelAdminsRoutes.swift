import HTTP
import JSON
import Security
import Store

/// `/channel_admins/v1/<channel_token>/`: list, promote, detail, permissions, demote (SPEC section 6).
struct ChannelAdminsRoutes {
    let api: API
    var services: Services { api.services }

    func register() {
        let tags = ["channel admins"]
        let base = "/channel_admins/v1/:channel_token/"
        api.route("GET", base, summary: "The channel's admins (channel admins only)", tags: tags) { try list($0) }
        api.route("POST", base, summary: "Promote a subscriber (owner only)", tags: tags) { try await promote($0) }
        api.route("GET", base + ":admin_token/", summary: "One admin with permissions (channel admins only)", tags: tags) {
            try detail($0)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":admin_token/", summary: "Change an admin's permissions (owner only)", tags: tags) {
                try await update($0)
            }
        }
        api.route("DELETE", base + ":admin_token/", summary: "Demote an admin (owner only)", tags: tags) { try await demote($0) }
    }

    private func writeSummary(_ w: inout JSONWriter, _ a: AdminRecord) {
        w.userRef("user", name: a.userName, token: a.userToken)
        w.userRef("promoted_by", name: a.promotedByName, token: a.promotedByToken)
    }

    private func detailJSON(_ a: AdminRecord) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        writeSummary(&w, a)
        w.key("date"); w.date(a.date)
        w.key("permissions"); w.beginObject()
        for p in ChannelPermission.allCases { w.key(p.rawValue); w.bool(a.permissions[p] ?? false) }
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private func list(_ ctx: Context) throws -> Response {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        guard try ChannelAccess.role(ch, user: ctx.user, services: services) != nil else {
            throw APIError.forbidden(ChannelAccess.notAdmin)
        }
        let page = Page(ctx.request)
        let (count, rows) = try services.store.read { try ChannelAdminsStore.list(channelId: ch.id, limit: page.limit, offset: page.offset, $0) }
        return page.response(count: count, results: { w in
            for a in rows {
                w.beginObject()
                writeSummary(&w, a)
                w.key("channel"); w.string(ch.token)
                w.key("token"); w.string(a.token)
                w.endObject()
            }
        }, request: ctx.request, domain: services.domain)
    }

    private func promote(_ ctx: Context) async throws -> Response {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        guard ch.ownerId == ctx.user.id else { throw APIError.forbidden(ChannelAccess.notOwner) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let sent = v.token("user", required: true)
        try v.finish()
        guard let sent else { throw APIError.field("user", FieldMessage.required) }
        guard let token = TokenFormat.normalized(sent), let user = try services.users.user(token: token),
              user.record.isActive else {
            throw APIError.field("user", FieldMessage.doesNotExist(sent))
        }
        guard let subscription = try await services.subscriptions.value(owner: ch.id, user: user.record.id) else {
            throw APIError.nonField("User hasnt subscribed to channel.")
        }
        let hours = services.configuration.adminMinSubscriptionHours
        if Clock.nowMicros() - subscription.date < Int64(hours * 3_600_000_000) {
            let shown = hours == hours.rounded() ? String(Int(hours)) : String(hours)
            throw APIError.nonField("User must be subscribed to channel for at least \(shown) hours to get promoted.")
        }
        let adminToken = SecureRandom.uuidV4()
        let mailer = services.mailer
        let promoter = ctx.user.id
        let record = user.record
        try await services.store.write { c in
            if try ChannelAdminsStore.isAdmin(channelId: ch.id, userId: record.id, c) {
                throw APIError.nonField("User is already an admin of this channel.")
            }
            try ChannelAdminsStore.promote(token: adminToken, channelId: ch.id, userId: record.id, promotedBy: promoter,
                                           now: Clock.nowMicros(), c)
            try ChannelsMail.queuePromoted(c, mailer: mailer, to: record.email,
                                           name: UserName.display(record.firstName, record.lastName), title: ch.title)
        }
        mailer.wake()
        var w = JSONWriter()
        w.beginObject()
        w.key("user"); w.string(record.token)
        w.key("token"); w.string(adminToken)
        w.endObject()
        return Response.json(201, w.bytes)
    }

    /// The channel and the admin record named by the path (404 unless the admin belongs to the channel).
    private func target(_ ctx: Context) throws -> (ChannelRecord, AdminRecord) {
        let ch = try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
        guard let token = TokenFormat.normalized(ctx.parameter("admin_token")),
              let admin = try services.store.read({ try ChannelAdminsStore.admin(token: token, channelId: ch.id, $0) }) else {
            throw APIError.notFound()
        }
        return (ch, admin)
    }

    private func detail(_ ctx: Context) throws -> Response {
        let (ch, admin) = try target(ctx)
        guard try ChannelAccess.role(ch, user: ctx.user, services: services) != nil else {
            throw APIError.forbidden(ChannelAccess.notAdmin)
        }
        return Response.json(200, detailJSON(admin))
    }

    private func update(_ ctx: Context) async throws -> Response {
        let (ch, admin) = try target(ctx)
        guard ch.ownerId == ctx.user.id else { throw APIError.forbidden(ChannelAccess.notOwner) }
        if admin.userId == ch.ownerId { throw APIError.forbidden("Channel owner's permissions can not be changed.") }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var changes: [ChannelPermission: Bool] = [:]
        if let value = input["permissions"] {
            guard case .object(let object) = value else {
                throw APIError.field("permissions", "Invalid data. Expected a dictionary, but got \(value.typeName).")
            }
            var inner = Input()
            for (k, v) in object.members { inner.set(k, v) }
            var v = Validator(inner, partial: true)
            for p in ChannelPermission.allCases {
                if let b = v.bool(p.rawValue) { changes[p] = b }
            }
            if !v.errors.isEmpty {
                // Nested like the original: {"permissions": {"can_add_object": ["Must be a valid boolean."]}}.
                var w = JSONWriter()
                w.beginObject(); w.key("permissions"); w.raw(v.errors.bodyBytes); w.endObject()
                throw HTTPErrorResponse(Response.json(400, w.bytes))
            }
        }
        let changed = changes
        if !changed.isEmpty {
            try await services.store.write { c in try ChannelAdminsStore.setPermissions(adminId: admin.id, changed, c) }
        }
        guard let fresh = try services.store.read({ try ChannelAdminsStore.admin(token: admin.token, channelId: ch.id, $0) }) else {
            throw APIError.notFound()
        }
        return Response.json(200, detailJSON(fresh))
    }

    private func demote(_ ctx: Context) async throws -> Response {
        let (ch, admin) = try target(ctx)
        guard ch.ownerId == ctx.user.id else { throw APIError.forbidden(ChannelAccess.notOwner) }
        if admin.userId == ch.ownerId { throw APIError.forbidden("You cannot delete yourself.") }
        try await services.store.write { c in try ChannelAdminsStore.delete(adminId: admin.id, c) }
        return Response(status: 204)
    }
}
