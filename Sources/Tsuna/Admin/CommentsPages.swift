import HTTP
import Store

/// Comments (SPEC 13): newest first with their item and author, searched by words of their text (a full-text
/// index); delete removes the replies too, as the API's delete does.
struct CommentsPages: Sendable {
    let services: Services
    /// Words of a search, at most (each narrows the matches).
    static let maxWords = 8

    func register(on panel: Panel) {
        panel.page("/admin/comments/", "Comments, newest first, or those holding words (?q=)", list)
        panel.action("/admin/comments/:token/delete/", "Delete a comment and its replies", delete)
    }

    /// The words of a search: letters and digits, as the full-text index splits text.
    static func words(_ q: String) -> [String] {
        let words = q.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return Array(words.prefix(maxWords))
    }

    private func list(_ ctx: PanelContext) throws -> Response {
        let q = ctx.query.text("q")
        let words = q.map(CommentsPages.words) ?? []
        let paging = try PanelPaging(ctx, path: "/admin/comments/", keep: ["q"])
        let query = words.isEmpty ? CommentsStore.pageQuery(paging.cursor, limit: paging.limit)
                                  : CommentsStore.searchQuery(words: words, paging.cursor, limit: paging.limit)
        let (rows, links) = paging.newestFirst(try ctx.read { try query.rows($0, CommentListing.init) }) { $0.id }
        let items = try ctx.read { try ContentsStore.contents(ids: Array(Set(rows.map(\.contentId))), $0) }
        let users = try services.users.references(rows.map(\.userId))
        let table = Tags.table(["Comment", "On", "By", "Date", ""], rows.map { cm -> [Markup] in
            let item: Markup = items[cm.contentId].map {
                "\(Tags.link(ContentsPages.path($0.token), $0.title)) <span class=\"muted\">(\($0.kind.word))</span>"
            } ?? "–"
            let author: Markup = users[cm.userId].map { Tags.link(UsersPages.path($0.token), $0.name) } ?? "–"
            let kind: Markup = cm.isReply ? Tags.badge("reply", "muted")
                : cm.repliesCount > 0 ? Tags.badge("\(cm.repliesCount) \(cm.repliesCount == 1 ? "reply" : "replies")", "muted") : ""
            let label = cm.repliesCount > 0 ? "Delete with replies" : "Delete"
            return ["<blockquote>\(Tags.excerpt(cm.body, 400))</blockquote>\(kind)", item, author, Tags.date(cm.date),
                    ctx.button("/admin/comments/\(cm.token)/delete/", label, tone: "danger")]
        }, empty: q == nil ? "No comments yet." : "No comment holds these words.")
        let note: Markup = q == nil ? "Newest first."
            : words.isEmpty ? "Type words of the comment (letters or digits)." : "Comments holding every word (or a word beginning so), newest first."
        return ctx.page("Comments", .comments, """
        <form class="search" method="get" action="/admin/comments/">
        <label>Words <input type="search" name="q" value="\(q ?? "")" maxlength="200"></label>
        <button type="submit">Search</button></form>
        <p class="muted">\(note)</p>
        \(table)\(links)
        """)
    }

    private func delete(_ ctx: PanelContext) async throws -> Response {
        let token = try ctx.token("token")
        guard let comment = try ctx.read({ try CommentsStore.listing(token: token, $0) }) else { throw PanelError.notFound }
        // The API's delete: the row goes and its replies with it (foreign key cascade).
        try await services.store.write { try CommentsStore.delete(id: comment.id, $0) }
        try await ctx.audit("delete", AuditObject(type: "comment", token: comment.token, label: Tags.excerpt(comment.body, 80)))
        return ctx.redirect("/admin/comments/", notice: .commentDeleted)
    }
}
