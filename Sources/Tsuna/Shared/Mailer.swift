import Mail
import Store

/// Queues mail inside the caller's transaction (so a message exists exactly when its cause committed) and
/// nudges the background sender after the commit.
final class Mailer: Sendable {
    let sender: MailSender?
    let site: Site
    var domain: String { site.domain }

    init(sender: MailSender?, site: Site) {
        self.sender = sender
        self.site = site
    }

    func queue(_ c: Connection, to: String, subject: String, body: String) throws {
        try Outbox.enqueue(c, to: to, subject: subject, body: body, now: Clock.nowMicros())
    }

    /// Call after the transaction that queued mail committed.
    func wake() { sender?.wake() }
}
