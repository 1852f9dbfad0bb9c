import HTTP
import Store

/// Users (SPEC 13): newest first, or searched by the beginning of their email or name; a user's account,
/// membership and channels, and the actions on them — each through the accounts feature's own functions.
struct UsersPages: Sendable {
    let services: Services

    enum SearchField: String, Sendable { case email, name }

    enum Action: String, Sendable, CaseIterable {
        case activate, deactivate
        case makeAdmin = "make-admin"
        case removeAdmin = "remove-admin"
        case resendVerification = "resend-verification"
        case delete

        var summary: String {
            switch self {
            case .activate: return "Activate an account"
            case .deactivate: return "Deactivate an account: its tokens are refused at once, it cannot log in"
            case .makeAdmin: return "Make a user a site administrator"
            case .removeAdmin: return "Remove a site administrator's rights (never the last administrator's)"
            case .resendVerification: return "Send a new verification mail"
            case .delete: return "Delete an account with everything it owns (as DELETE me/)"
            }
        }
        var audited: String { rawValue.replacing("-", with: " ") }
    }

    func register(on panel: Panel) {
        panel.page("/admin/users/", "Users, newest first, or searched by email or name (?q=, ?by=email|name)", list)
        panel.page("/admin/users/:token/", "A user: account, membership, channels and actions", detail)
        for action in Action.allCases {
            panel.action("/admin/users/:token/\(action.rawValue)/", action.summary) { try await act($0, action) }
        }
    }

    static func path(_ token: String) -> String { "/admin/users/\(token)/" }

    static func status(_ user: UserRecord) -> Markup {
        if user.isActive { return Tags.badge("active", "ok") }
        return user.isDeactivated ? Tags.badge("deactivated", "bad") : Tags.badge("unverified", "warn")
    }

    private func list(_ ctx: PanelContext) throws -> Response {
        let q = ctx.query.text("q")
        let field = try ctx.query.choice("by", default: SearchField.email)
        let paging = try PanelPaging(ctx, path: "/admin/users/", keep: ["q", "by"])
        let rows: [UserRecord], links: Markup
        if let q {
            let query = field == .email ? AccountsStore.emailSearchQuery(paging.search(q), limit: paging.limit)
                                        : AccountsStore.nameSearchQuery(paging.search(q), limit: paging.limit)
            (rows, links) = paging.forward(try ctx.read { try query.rows($0, UserRecord.init) }) { user in
                (field == .email ? user.email : user.firstName + " " + user.lastName, user.id)
            }
        } else {
            let fetched = try ctx.read { try AccountsStore.pageQuery(paging.cursor, limit: paging.limit).rows($0, UserRecord.init) }
            (rows, links) = paging.newestFirst(fetched) { $0.id }
        }
        let options = Markup.join([SearchField.email, .name].map { f -> Markup in
            "<option value=\"\(f.rawValue)\"\(f == field ? " selected" : "")>\(f == .email ? "Email begins with" : "Name begins with")</option>"
        })
        let table = Tags.table(["Email", "Name", "Status", "Administrator", "Joined"], rows.map { u in
            [Tags.link(UsersPages.path(u.token), u.email), "\(u.displayName)", UsersPages.status(u),
             u.isAdmin ? Tags.badge("administrator", "ok") : "", Tags.date(u.dateJoined)]
        }, empty: q == nil ? "No users yet." : "No user matches.")
        return ctx.page("Users", .users, """
        <form class="search" method="get" action="/admin/users/">
        <label>Search <input type="search" name="q" value="\(q ?? "")" maxlength="200" placeholder="ada@ or Ada Love"></label>
        <label>In <select name="by">\(options)</select></label>
        <button type="submit">Search</button></form>
        \(Tags.note(q == nil ? "Newest first." : "Matches in \(field.rawValue) order."))
        \(table)\(links)
        """)
    }

    private func load(_ ctx: PanelContext) throws -> UserRecord {
        let token = try ctx.token("token")
        guard let user = try ctx.read({ try AccountsStore.user(token: token, $0) }) else { throw PanelError.notFound }
        return user
    }

    private func detail(_ ctx: PanelContext) throws -> Response {
        let user = try load(ctx)
        let (subscription, owned, administered) = try ctx.read { c in
            let owned = try ChannelsStore.owned(userId: user.id, c)
            let ids = try ChannelAdminsStore.channelIds(userId: user.id, c).filter { id in !owned.contains { $0.id == id } }
            return (try MembershipsStore.subscription(userId: user.id, c), owned,
                    try ChannelsStore.channels(ids: Array(ids.sorted(by: >).prefix(100)), c))
        }
        let membership: Markup = subscription.map { s in
            let ended = s.end <= Clock.nowMicros()
            return "\(s.membership), \(Tags.date(s.start)) – \(Tags.date(s.end))\(ended ? " (ended)" : "")"
        } ?? "none"
        func channelList(_ channels: [ChannelRecord]) -> Markup {
            channels.isEmpty ? "none" : Markup.join(channels.map { Tags.link(ChannelsPages.path($0.token), $0.title) },
                                                    separator: ", ")
        }
        let facts = Tags.facts([
            ("Email", "\(user.email)"), ("Name", "\(user.displayName)"), ("Token", "<code>\(user.token)</code>"),
            ("Status", UsersPages.status(user)), ("Administrator", Tags.yesNo(user.isAdmin)),
            ("Joined", Tags.date(user.dateJoined)), ("Membership", membership),
            ("Owns", channelList(owned)), ("Administers", channelList(administered)), ("Bio", "\(user.bio)"),
        ])
        let base = UsersPages.path(user.token)
        var actions: [Markup] = []
        if !user.isActive { actions.append(ctx.button(base + "activate/", "Activate")) }
        if user.isActive && !user.isAdmin { actions.append(ctx.button(base + "deactivate/", "Deactivate", tone: "danger")) }
        if user.isActive && !user.isAdmin { actions.append(ctx.button(base + "make-admin/", "Make administrator", tone: "quiet")) }
        if user.isAdmin { actions.append(ctx.button(base + "remove-admin/", "Remove administrator", tone: "quiet")) }
        if user.isUnverified { actions.append(ctx.button(base + "resend-verification/", "Resend verification mail", tone: "quiet")) }
        if !user.isAdmin {
            actions.append(ctx.button(base + "delete/", "Delete account", tone: "danger",
                                      confirm: "Delete this account and everything it owns"))
        } else {
            actions.append("<p class=\"muted\">Administrators are deactivated or deleted after their rights are removed.</p>")
        }
        return ctx.page(user.email, .users, "\(facts)<h2>Actions</h2><div class=\"actions\">\(actions)</div>")
    }

    private func act(_ ctx: PanelContext, _ action: Action) async throws -> Response {
        let user = try load(ctx)
        let notice: PanelNotice
        switch action {
        case .activate:
            try await AccountAdministration.activate(user, services)
            notice = .activated
        case .deactivate:
            try await AccountAdministration.deactivate(user, services)
            try await ctx.sessions.endAll(userId: user.id)
            notice = .deactivated
        case .makeAdmin:
            try await AccountAdministration.makeAdmin(user, services)
            notice = .madeAdmin
        case .removeAdmin:
            try await AccountAdministration.removeAdmin(user, services)
            try await ctx.sessions.endAll(userId: user.id)
            notice = .removedAdmin
        case .resendVerification:
            try await AccountVerification.resend(user, services)
            notice = .verificationSent
        case .delete:
            try ctx.requireConfirmation()
            try await AccountAdministration.delete(user, services)
            notice = .userDeleted
        }
        try await ctx.audit(action.audited, AuditObject(type: "user", token: user.token, label: user.email))
        return ctx.redirect(action == .delete ? "/admin/users/" : UsersPages.path(user.token), notice: notice)
    }
}
