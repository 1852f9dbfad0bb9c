import HTTP
import JSON
import Security
import Store

/// A channel and one of its admin records, named by `:channel_token/:admin_token` (404 unless the record
/// belongs to the channel).
struct AdminScope: RoleScoped {
    let channel: ChannelRecord
    let role: ChannelRole?
    let admin: AdminRecord
}

extension Loader where Scope == AdminScope {
    static var admin: Loader {
        Loader { r in
            let channel = try ChannelScope.channel(r.parameter("channel_token"), r.services)
            guard let token = TokenFormat.normalized(r.parameter("admin_token")),
                  let admin = try r.services.store.read({ try ChannelAdminsStore.admin(token: token, channelId: channel.id, $0) })
            else { throw APIError.notFound }
            let role = r.needsRole ? try r.services.channelRole(channel, r.caller) : nil
            return AdminScope(channel: channel, role: role, admin: admin)
        }
    }
}

/// `/channel_admins/v1/<channel_token>/`: list, promote, detail, permissions, demote (SPEC section 6).
struct ChannelAdminsRoutes: Sendable {
    let services: Services

    static let notSubscribed = "User hasnt subscribed to channel."
    static let subscribedTooShortly = "User must be subscribed to channel for at least N hours to get promoted."
    static let alreadyAdmin = "User is already an admin of this channel."
    static let ownerFixed = "Channel owner's permissions can not be changed."
    static let notYourself = "You cannot delete yourself."

    func register(on api: API) {
        let tags = ["channel admins"]
        let base = "/channel_admins/v1/:channel_token/"
        api.route("GET", base, .channel, .channelAdmin(ChannelScope.notAdmin),
                  answers: [.page(.channelAdmin, "A page of the channel's admins, oldest first.")],
                  summary: "The channel's admins (channel admins only)", tags: tags, list)
        api.route("POST", base, .channel, .channelOwner(ChannelScope.notOwner), body: .fields(ChannelAdminFields.user),
                  answers: [.created(.promoted, "The new admin record; a promotion mail is queued."),
                            .refused(400, ChannelAdminsRoutes.notSubscribed, ChannelAdminsRoutes.subscribedTooShortly,
                                     ChannelAdminsRoutes.alreadyAdmin, fields: true)],
                  summary: "Promote a subscriber (owner only)", tags: tags, promote)
        api.route("GET", base + ":admin_token/", .admin, .channelAdmin(ChannelScope.notAdmin),
                  answers: [.ok(.channelAdminDetail, "The admin with their permissions.")],
                  summary: "One admin with permissions (channel admins only)", tags: tags) { ctx in
            try Response.json(200, detailJSON(ctx.scope.admin))
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":admin_token/", .admin, .channelOwner(ChannelScope.notOwner),
                      body: .fields(ChannelAdminFields.permissions),
                      answers: [.ok(.channelAdminDetail, "The admin with their permissions."),
                                .refused(403, ChannelAdminsRoutes.ownerFixed),
                                Answer(status: 400, body: .json(.permissionErrors),
                                       about: "Refused permissions, nested under `permissions`.")],
                      summary: "Change an admin's permissions (owner only)", tags: tags, update)
        }
        api.route("DELETE", base + ":admin_token/", .admin, .channelOwner(ChannelScope.notOwner),
                  answers: [.deleted("The admin is demoted."), .refused(403, ChannelAdminsRoutes.notYourself)],
                  summary: "Demote an admin (owner only)", tags: tags, demote)
    }

    private func writeSummary(_ w: inout JSONWriter, _ a: AdminRecord, _ users: [Int64: UserRef]) {
        w.userRef("user", users[a.userId])
        w.userRef("promoted_by", a.promotedById.flatMap { users[$0] })
    }

    private func detailJSON(_ a: AdminRecord) throws -> [UInt8] {
        let users = try services.users.references([a.userId] + (a.promotedById.map { [$0] } ?? []))
        var w = JSONWriter()
        w.beginObject()
        writeSummary(&w, a, users)
        w.key("date"); w.date(a.date)
        w.key("permissions"); w.beginObject()
        for p in ChannelPermission.allCases { w.key(p.rawValue); w.bool(a.permissions.contains(p)) }
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private func list(_ ctx: Context<ChannelScope>) throws -> Response {
        let page = ctx.page
        let (count, rows) = try services.store.read { try ChannelAdminsStore.list(channelId: ctx.channel.id, page: page, $0) }
        let users = try services.users.references(rows.flatMap { [$0.userId] + ($0.promotedById.map { [$0] } ?? []) })
        return page.response(count: count, rows: rows, key: \.sortKey, request: ctx.request, domain: services.domain) { w, a in
            w.beginObject()
            writeSummary(&w, a, users)
            w.key("channel"); w.string(ctx.channel.token)
            w.key("token"); w.string(a.token)
            w.endObject()
        }
    }

    private func promote(_ ctx: Context<ChannelScope>) async throws -> Response {
        let ch = ctx.channel
        var v = Validator(ctx.input)
        let sent = v.token(ChannelAdminFields.user) ?? ""
        try v.finish()
        guard let token = TokenFormat.normalized(sent), let user = try services.users.user(token: token),
              user.record.isActive else {
            throw APIError.field("user", FieldMessage.doesNotExist(sent))
        }
        guard let subscription = try await services.subscriptions.value(owner: ch.id, user: user.record.id) else {
            throw APIError.nonField(ChannelAdminsRoutes.notSubscribed)
        }
        let hours = services.configuration.adminMinSubscriptionHours
        if Clock.nowMicros() - subscription.date < Int64(hours * 3_600_000_000) {
            let shown = hours == hours.rounded() ? String(Int(hours)) : String(hours)
            throw APIError.nonField("User must be subscribed to channel for at least \(shown) hours to get promoted.")
        }
        let adminToken = SecureRandom.uuidV4()
        let mailer = services.mailer
        let promoter = ctx.caller.id
        let record = user.record
        try await services.store.write { c in
            if try ChannelAdminsStore.isAdmin(channelId: ch.id, userId: record.id, c) {
                throw APIError.nonField(ChannelAdminsRoutes.alreadyAdmin)
            }
            try ChannelAdminsStore.promote(token: adminToken, channelId: ch.id, userId: record.id, promotedBy: promoter,
                                           now: Clock.nowMicros(), c)
            try ChannelsMail.queuePromoted(c, mailer: mailer, to: record.email, name: record.displayName, title: ch.title)
        }
        mailer.wake()
        var w = JSONWriter()
        w.beginObject()
        w.key("user"); w.string(record.token)
        w.key("token"); w.string(adminToken)
        w.endObject()
        return Response.json(201, w.bytes)
    }

    private func update(_ ctx: Context<AdminScope>) async throws -> Response {
        let (ch, admin) = (ctx.channel, ctx.scope.admin)
        if admin.userId == ch.ownerId { throw APIError.forbidden(ChannelAdminsRoutes.ownerFixed) }
        var changes: [ChannelPermission: Bool] = [:]
        if let value = ctx.input[ChannelAdminFields.permissions.name] {
            guard case .object(let object) = value else {
                throw APIError.field("permissions", "Invalid data. Expected a dictionary, but got \(value.typeName).")
            }
            var v = Validator(Input(object: object), partial: true)
            for p in ChannelPermission.allCases {
                if let b = v.bool(p.rawValue) { changes[p] = b }
            }
            // Nested like the original: {"permissions": {"can_add_object": ["Must be a valid boolean."]}}.
            if !v.errors.isEmpty { throw APIError.nestedFields("permissions", v.errors) }
        }
        let changed = changes
        if !changed.isEmpty {
            try await services.store.write { c in try ChannelAdminsStore.setPermissions(adminId: admin.id, changed, c) }
        }
        guard let fresh = try services.store.read({ try ChannelAdminsStore.admin(token: admin.token, channelId: ch.id, $0) }) else {
            throw APIError.notFound
        }
        return Response.json(200, try detailJSON(fresh))
    }

    private func demote(_ ctx: Context<AdminScope>) async throws -> Response {
        let admin = ctx.scope.admin
        if admin.userId == ctx.channel.ownerId { throw APIError.forbidden(ChannelAdminsRoutes.notYourself) }
        try await services.store.write { c in try ChannelAdminsStore.delete(adminId: admin.id, c) }
        return Response(status: 204)
    }
}

/// The fields the channel admin routes read.
enum ChannelAdminFields {
    static let user = BodyField.token("user", about: "The token of a subscriber to promote.")
    static let permissions = BodyField.object(
        "permissions", ChannelPermission.allCases.map { BodyField.boolean($0.rawValue) },
        about: "Any subset of the five permissions (JSON only: a form cannot carry the object).")
}
