import HTTP
import Store

/// Videos and musics (SPEC 13): newest first or searched by the beginning of their title, with channel and
/// visibility; unpublish (the API's update to private) and delete (the API's delete).
struct ContentsPages: Sendable {
    let services: Services

    enum KindFilter: String, Sendable, CaseIterable {
        case all, video, music
        var kind: ContentKind? { self == .video ? .video : self == .music ? .music : nil }
        var label: String { self == .all ? "Videos and musics" : self == .video ? "Videos" : "Musics" }
    }

    func register(on panel: Panel) {
        panel.page("/admin/contents/", "Videos and musics, newest first, or searched by title (?q=, ?kind=video|music)", list)
        panel.page("/admin/contents/:token/", "A video or music: channel, uploader, visibility, counts and actions", detail)
        panel.action("/admin/contents/:token/unpublish/", "Make a published item private", unpublish)
        panel.action("/admin/contents/:token/delete/", "Delete an item with its votes, views, comments and files", delete)
    }

    static func path(_ token: String) -> String { "/admin/contents/\(token)/" }

    static func visibility(_ item: ContentRecord) -> Markup {
        item.isPublished ? Tags.badge("public", "ok") : Tags.badge("private", "muted")
    }

    private func list(_ ctx: PanelContext) throws -> Response {
        let q = ctx.query.text("q")
        let filter = try ctx.query.choice("kind", default: KindFilter.all)
        let paging = try PanelPaging(ctx, path: "/admin/contents/", keep: ["q", "kind"])
        let rows: [ContentRecord], links: Markup
        if let q {
            let query = ContentsStore.titleSearchQuery(kind: filter.kind, paging.search(q), limit: paging.limit)
            (rows, links) = paging.forward(try ctx.read { try query.rows($0, ContentRecord.init) }) { ($0.title, $0.id) }
        } else {
            let query = ContentsStore.pageQuery(kind: filter.kind, paging.cursor, limit: paging.limit)
            (rows, links) = paging.newestFirst(try ctx.read { try query.rows($0, ContentRecord.init) }) { $0.id }
        }
        let channels = Dictionary(try ctx.read { try ChannelsStore.channels(ids: Array(Set(rows.map(\.channelId))), $0) }
            .map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let users = try services.users.references(rows.compactMap(\.userId))
        let table = Tags.table(["Title", "Kind", "Channel", "Visibility", "Uploaded by", "Date", ""], rows.map { item -> [Markup] in
            let channel: Markup = channels[item.channelId].map { Tags.link(ChannelsPages.path($0.token), $0.title) } ?? "–"
            let uploader: Markup = item.userId.flatMap { users[$0] }.map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–"
            let action = item.isPublished ? ctx.button(ContentsPages.path(item.token) + "unpublish/", "Unpublish", tone: "quiet") : ""
            return [Tags.link(ContentsPages.path(item.token), item.title), "\(item.kind.word)", channel,
                    ContentsPages.visibility(item), uploader, Tags.date(item.date), action]
        }, empty: q == nil ? "Nothing uploaded yet." : "No title begins so.")
        let kinds = Markup.join(KindFilter.allCases.map { k -> Markup in
            "<option value=\"\(k.rawValue)\"\(k == filter ? " selected" : "")>\(k.label)</option>"
        })
        return ctx.page("Contents", .contents, """
        <form class="search" method="get" action="/admin/contents/">
        <label>Title begins with <input type="search" name="q" value="\(q ?? "")" maxlength="200"></label>
        <label>Kind <select name="kind">\(kinds)</select></label>
        <button type="submit">Show</button></form>
        \(Tags.note(q == nil ? "Newest first." : "Matches in title order."))
        \(table)\(links)
        """)
    }

    private func load(_ ctx: PanelContext) throws -> ContentRecord {
        let token = try ctx.token("token")
        guard let item = try ctx.read({ try ContentsStore.content(token: token, $0) }) else { throw PanelError.notFound }
        return item
    }

    private func detail(_ ctx: PanelContext) async throws -> Response {
        let item = try load(ctx)
        let views = try await services.views.count(owner: item.id)
        let votes = try await services.votes.counts(owner: item.id)
        let channel = try services.channels.channel(id: item.channelId)
        let uploader = try item.userId.flatMap { try services.users.reference($0) }
        let facts = Tags.facts([
            ("Title", "\(item.title)"), ("Kind", "\(item.kind.word)"), ("Token", "<code>\(item.token)</code>"),
            ("Channel", channel.map { Tags.link(ChannelsPages.path($0.token), $0.title) } ?? "–"),
            ("Uploaded by", uploader.map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–"),
            ("Visibility", ContentsPages.visibility(item)), ("Comments allowed", Tags.yesNo(item.allowComment)),
            ("Edited", Tags.yesNo(item.isUpdated)), ("Date", Tags.date(item.date)),
            ("Views", "\(views)"), ("Votes", "\(votes.first ?? 0) up, \(votes.count > 1 ? votes[1] : 0) down"),
            ("File", "<code>\(item.file)</code>"), ("Description", "<blockquote>\(item.description)</blockquote>"),
        ])
        let base = ContentsPages.path(item.token)
        let unpublish = item.isPublished ? ctx.button(base + "unpublish/", "Unpublish (make private)", tone: "quiet") : ""
        let delete = ctx.button(base + "delete/", "Delete \(item.kind.word)", tone: "danger",
                                confirm: "Delete it with its votes, views, comments and files")
        return ctx.page(item.title, .contents, "\(facts)<h2>Actions</h2><div class=\"actions\">\(unpublish)\(delete)</div>")
    }

    private func unpublish(_ ctx: PanelContext) async throws -> Response {
        let item = try load(ctx)
        try await ContentVisibility.unpublish(item, services)
        try await ctx.audit("unpublish", AuditObject(type: item.kind.word, token: item.token, label: item.title))
        return ctx.redirect(ContentsPages.path(item.token), notice: .unpublished)
    }

    private func delete(_ ctx: PanelContext) async throws -> Response {
        let item = try load(ctx)
        try ctx.requireConfirmation()
        try await ContentRemoval.delete(item, services)
        try await ctx.audit("delete", AuditObject(type: item.kind.word, token: item.token, label: item.title))
        return ctx.redirect("/admin/contents/", notice: .contentDeleted)
    }
}
