import HTTP
import Store

/// The audit log (SPEC 13): every action taken in the panel — who, what, on which object, when — newest first.
struct AuditPage: Sendable {
    func register(on panel: Panel) {
        panel.page("/admin/audit/", "Every action taken in the panel, newest first", list)
    }

    /// Where an audited object is shown, when it has a page.
    static func link(_ entry: AuditEntry) -> Markup {
        let label = entry.objectLabel.isEmpty ? (entry.objectToken ?? "") : entry.objectLabel
        guard let token = entry.objectToken else { return "\(label)" }
        switch entry.objectType {
        case "user": return Tags.link(UsersPages.path(token), label)
        case "channel": return Tags.link(ChannelsPages.path(token), label)
        case "video", "music": return Tags.link(ContentsPages.path(token), label)
        case "plan": return Tags.link(MembershipsPages.path(token), label)
        default: return "\(label)"
        }
    }

    private func list(_ ctx: PanelContext) throws -> Response {
        let paging = try PanelPaging(ctx, path: "/admin/audit/", keep: [])
        let query = AuditLog.pageQuery(paging.cursor, limit: paging.limit)
        let (rows, links) = paging.newestFirst(try ctx.read { try query.rows($0, AuditEntry.init) }) { $0.id }
        let table = Tags.table(["When", "Who", "Action", "Object", ""], rows.map { e -> [Markup] in
            [Tags.date(e.date), "\(e.actorEmail)", "\(e.action)", "\(e.objectType)", AuditPage.link(e)]
        }, empty: "No actions yet.")
        return ctx.page("Audit log", .audit, "<p class=\"muted\">Newest first.</p>\(table)\(links)")
    }
}
