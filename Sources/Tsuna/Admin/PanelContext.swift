import HTTP
import Store

/// What a panel handler receives: the signed-in administrator and their session, the query and the form, all
/// resolved and checked by the panel layer (`Panel`) before the handler runs.
struct PanelContext: Sendable {
    let request: Request
    let services: Services
    let sessions: AdminSessions
    let admin: UserRecord
    let session: AdminSession
    let query: PanelQuery
    let form: PanelForm

    func parameter(_ name: String) -> String { request.parameters[name] ?? "" }

    /// The path's UUID token, lowercased; anything else is the 404 page.
    func token(_ name: String) throws(PanelError) -> String {
        guard let token = TokenFormat.normalized(parameter(name)) else { throw .notFound }
        return token
    }

    /// A page inside the layout, with the navigation and the notice the query names.
    func page(_ title: String, _ section: PanelSection?, status: Int = 200, _ body: Markup) -> Response {
        let notice = query.text("notice").flatMap(PanelNotice.init(rawValue:))?.message
        return PanelLayout.response(status, PanelLayout.document(
            title: title, section: section, signedIn: .init(email: admin.email, csrfToken: session.csrfToken),
            notice: notice, body: body))
    }

    /// After an action: load `path` with GET, showing `notice`.
    func redirect(_ path: String, notice: PanelNotice? = nil) -> Response {
        PanelLayout.redirect(notice.map { path + (path.contains("?") ? "&" : "?") + "notice=" + $0.rawValue } ?? path)
    }

    /// Records an action of the signed-in administrator in the audit log.
    func audit(_ action: String, _ object: AuditObject) async throws {
        let (id, email, now) = (admin.id, admin.email, Clock.nowMicros())
        try await services.store.write { c in
            try AuditLog.record(actorId: id, actorEmail: email, action: action, object: object, now: now, c)
        }
    }

    var csrfField: Markup { PanelLayout.csrfField(session.csrfToken) }

    /// A form of one button posting to `action`; with `confirm`, a box that must be ticked first (checked again
    /// on the server: see `requireConfirmation`).
    func button(_ action: String, _ label: String, tone: String = "", confirm: String? = nil) -> Markup {
        let box: Markup = confirm.map {
            "<label class=\"confirm\"><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> \($0)</label>"
        } ?? ""
        return """
        <form class="action" method="post" action="\(action)">\(csrfField)\(box)\
        <button type="submit" class="\(tone)">\(label)</button></form>
        """
    }

    /// Destructive actions need the confirmation box ticked (a browser enforces `required`; this is for the rest).
    func requireConfirmation() throws(PanelError) {
        guard form.isTicked("confirm") else { throw .badRequest("Tick the confirmation box to go ahead. Nothing was changed.") }
    }

    func read<T>(_ body: (Connection) throws -> T) throws -> T { try services.store.read(body) }
}

/// Messages shown after an action, named in the redirect's query (`?notice=`) so no text travels in the URL.
enum PanelNotice: String, Sendable {
    case signedIn = "signed-in"
    case activated, deactivated
    case madeAdmin = "made-admin"
    case removedAdmin = "removed-admin"
    case userDeleted = "user-deleted"
    case verificationSent = "verification-sent"
    case planCreated = "plan-created"
    case planUpdated = "plan-updated"
    case planDeleted = "plan-deleted"
    case verified, unverified
    case channelDeleted = "channel-deleted"
    case unpublished
    case contentDeleted = "content-deleted"
    case commentDeleted = "comment-deleted"
    case mailRetried = "mail-retried"

    var message: String {
        switch self {
        case .signedIn: return "Welcome back."
        case .activated: return "The account is active: the user can log in."
        case .deactivated: return "The account is deactivated: its tokens are refused and it cannot log in."
        case .madeAdmin: return "The user is now a site administrator."
        case .removedAdmin: return "The user is no longer a site administrator."
        case .userDeleted: return "The account and everything it owned were deleted."
        case .verificationSent: return "A new verification mail is on its way."
        case .planCreated: return "The plan was created."
        case .planUpdated: return "The plan was saved."
        case .planDeleted: return "The plan was deleted."
        case .verified: return "The channel is verified."
        case .unverified: return "The channel is no longer verified."
        case .channelDeleted: return "The channel and everything in it were deleted."
        case .unpublished: return "The item is private now."
        case .contentDeleted: return "The item, its votes, views, comments and files were deleted."
        case .commentDeleted: return "The comment and its replies were deleted."
        case .mailRetried: return "The message will be sent again at once."
        }
    }
}
