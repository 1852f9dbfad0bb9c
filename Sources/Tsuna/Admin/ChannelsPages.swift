import HTTP
import Store

/// Channels (SPEC 13): newest first or searched by the beginning of their title; a channel with its owner,
/// admins and counts; verify, unverify, delete (as the owner's API delete).
struct ChannelsPages: Sendable {
    let services: Services

    func register(on panel: Panel) {
        panel.page("/admin/channels/", "Channels, newest first, or searched by title (?q=)", list)
        panel.page("/admin/channels/:token/", "A channel: owner, admins, counts and actions", detail)
        panel.action("/admin/channels/:token/verify/", "Mark a channel verified") { try await setVerified($0, true) }
        panel.action("/admin/channels/:token/unverify/", "Remove a channel's verified mark") { try await setVerified($0, false) }
        panel.action("/admin/channels/:token/delete/", "Delete a channel with everything in it", delete)
    }

    static func path(_ token: String) -> String { "/admin/channels/\(token)/" }

    private func list(_ ctx: PanelContext) throws -> Response {
        let q = ctx.query.text("q")
        let paging = try PanelPaging(ctx, path: "/admin/channels/", keep: ["q"])
        let rows: [ChannelRecord], links: Markup
        if let q {
            let query = ChannelsStore.titleSearchQuery(paging.search(q), limit: paging.limit)
            (rows, links) = paging.forward(try ctx.read { try query.rows($0, ChannelRecord.init) }) { ($0.title, $0.id) }
        } else {
            let query = ChannelsStore.pageQuery(paging.cursor, limit: paging.limit)
            (rows, links) = paging.newestFirst(try ctx.read { try query.rows($0, ChannelRecord.init) }) { $0.id }
        }
        let owners = try services.users.references(rows.map(\.ownerId))
        let table = Tags.table(["Title", "Owner", "Verified", "Created"], rows.map { ch -> [Markup] in
            [Tags.link(ChannelsPages.path(ch.token), ch.title), owners[ch.ownerId].map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–",
             ch.isVerified ? Tags.badge("verified", "ok") : "", Tags.date(ch.dateCreated)]
        }, empty: q == nil ? "No channels yet." : "No channel title begins so.")
        return ctx.page("Channels", .channels, """
        <form class="search" method="get" action="/admin/channels/">
        <label>Title begins with <input type="search" name="q" value="\(q ?? "")" maxlength="200"></label>
        <button type="submit">Search</button></form>
        \(Tags.note(q == nil ? "Newest first." : "Matches in title order."))
        \(table)\(links)
        """)
    }

    private func load(_ ctx: PanelContext) throws -> ChannelRecord {
        let token = try ctx.token("token")
        guard let channel = try ctx.read({ try ChannelsStore.channel(token: token, $0) }) else { throw PanelError.notFound }
        return channel
    }

    private func detail(_ ctx: PanelContext) async throws -> Response {
        let ch = try load(ctx)
        let subscribers = try await services.subscriptions.count(owner: ch.id)
        let (counts, admins) = try ctx.read { c in
            (try ContentsStore.counts(channelId: ch.id, c), try ChannelAdminsStore.list(channelId: ch.id, page: Page(limit: 100, offset: 0), c))
        }
        let users = try services.users.references([ch.ownerId] + admins.rows.map(\.userId))
        let owner: Markup = users[ch.ownerId].map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–"
        let facts = Tags.facts([
            ("Title", "\(ch.title)"), ("Token", "<code>\(ch.token)</code>"), ("Owner", owner),
            ("Verified", Tags.yesNo(ch.isVerified)), ("Created", Tags.date(ch.dateCreated)),
            ("Subscribers", "\(subscribers)"),
            ("Videos", "\(counts[.video] ?? 0)"), ("Musics", "\(counts[.music] ?? 0)"),
            ("Admins", "\(admins.count)"), ("Description", "<blockquote>\(ch.description)</blockquote>"),
        ])
        let adminRows = admins.rows.map { a -> [Markup] in
            let perms = ChannelPermission.allCases.filter { a.permissions.contains($0) }.map(\.rawValue)
            return [users[a.userId].map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–",
                    a.userId == ch.ownerId ? Tags.badge("owner", "ok") : "\(perms.isEmpty ? "none" : perms.joined(separator: ", "))",
                    Tags.date(a.date)]
        }
        let base = ChannelsPages.path(ch.token)
        let verify = ch.isVerified ? ctx.button(base + "unverify/", "Remove verified mark", tone: "quiet")
                                   : ctx.button(base + "verify/", "Verify")
        let delete = ctx.button(base + "delete/", "Delete channel", tone: "danger",
                                confirm: "Delete this channel with its contents, comments, votes, views, subscribers and files")
        return ctx.page(ch.title, .channels, """
        \(facts)
        <h2>Admins</h2>\(Tags.table(["User", "Permissions", "Since"], adminRows))
        \(admins.count > admins.rows.count ? Tags.note("The first \(admins.rows.count) of \(admins.count).") : Markup.empty)
        <h2>Actions</h2><div class="actions">\(verify)\(delete)</div>
        """)
    }

    private func setVerified(_ ctx: PanelContext, _ verified: Bool) async throws -> Response {
        let ch = try load(ctx)
        try await ChannelVerification.set(ch, verified: verified, services)
        try await ctx.audit(verified ? "verify" : "unverify", AuditObject(type: "channel", token: ch.token, label: ch.title))
        return ctx.redirect(ChannelsPages.path(ch.token), notice: verified ? .verified : .unverified)
    }

    private func delete(_ ctx: PanelContext) async throws -> Response {
        let ch = try load(ctx)
        try ctx.requireConfirmation()
        try await ChannelRemoval.delete(ch, services)
        try await ctx.audit("delete", AuditObject(type: "channel", token: ch.token, label: ch.title))
        return ctx.redirect("/admin/channels/", notice: .channelDeleted)
    }
}
