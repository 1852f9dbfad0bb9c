import HTTP
import Mail
import Store

/// The outbox (SPEC 13): queued, sent and failed messages with recipient, subject, attempts and last error;
/// a failed (or retrying) message can be sent again at once.
struct MailPages: Sendable {
    let services: Services

    func register(on panel: Panel) {
        panel.page("/admin/mail/", "The outbox, newest first (?status=all|queued|failed|sent)", list)
        panel.action("/admin/mail/:id/retry/", "Send a failed or retrying message again now", retry)
    }

    static func status(_ entry: OutboxEntry) -> Markup {
        switch entry.status {
        case .queued: return Tags.badge("queued", "muted")
        case .retrying: return Tags.badge("retrying", "warn")
        case .sent: return Tags.badge("sent", "ok")
        case .failed: return Tags.badge("failed", "bad")
        }
    }

    private func list(_ ctx: PanelContext) throws -> Response {
        let filter = try ctx.query.choice("status", default: Outbox.Filter.all)
        let paging = try PanelPaging(ctx, path: "/admin/mail/", keep: ["status"])
        var before: Int64?, after: Int64?
        switch paging.cursor {
        case .newest: break
        case .olderThan(let id): before = id
        case .newerThan(let id): after = id
        }
        let fetched = try ctx.read { try Outbox.entries($0, filter, before: before, after: after, limit: paging.limit) }
        let (rows, links) = paging.newestFirst(fetched) { $0.id }
        let table = Tags.table(["#", "To", "Subject", "Status", "Attempts", "Last error", "Queued", "Sent / next try", ""],
                               rows.map { m -> [Markup] in
            let when: Markup = m.status == .sent ? Tags.date(m.sentAt) : m.status == .failed ? "–" : Tags.date(m.nextAttemptAt)
            return ["\(m.id)", "\(m.recipient)", "\(m.subject)", MailPages.status(m), "\(m.attempts)",
                    "\(m.lastError.map { Tags.excerpt($0, 300) } ?? "")", Tags.date(m.createdAt), when,
                    m.canRetry ? ctx.button("/admin/mail/\(m.id)/retry/", "Retry now") : ""]
        }, empty: "No messages.")
        let tabs = Markup.join(Outbox.Filter.allCases.map { f -> Markup in
            let label = f == .all ? "All" : f.rawValue.prefix(1).uppercased() + f.rawValue.dropFirst()
            let href = f == .all ? "/admin/mail/" : "/admin/mail/?status=\(f.rawValue)"
            return f == filter ? "<a href=\"\(href)\" aria-current=\"page\"><b>\(label)</b></a>" : Tags.link(href, label)
        }, separator: " · ")
        return ctx.page("Mail", .mail, """
        <p class="pages">\(tabs)</p>
        <p class="muted">Queued includes messages waiting for another attempt after a failure; failed ones were given \
        up after the last attempt. Retrying a failed message starts a new series of attempts.</p>
        \(table)\(links)
        """)
    }

    private func retry(_ ctx: PanelContext) async throws -> Response {
        guard let id = Int64(ctx.parameter("id")), id > 0,
              let entry = try ctx.read({ try Outbox.entry($0, id: id) }) else { throw PanelError.notFound }
        let now = Clock.nowMicros()
        let retried = try await services.store.write { try Outbox.retry($0, id: id, now: now) }
        guard retried else { throw PanelError(409, "This message is not waiting for a retry (it was sent, or not tried yet).") }
        services.mailer.wake()
        try await ctx.audit("retry", AuditObject(type: "mail", token: nil, label: "#\(entry.id) to \(entry.recipient): \(entry.subject)"))
        return ctx.redirect("/admin/mail/?status=queued", notice: .mailRetried)
    }
}
