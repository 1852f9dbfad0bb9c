import Mail
import Store

/// The memberships feature's messages (SPEC section 11).
enum MembershipsMail {
    static let startedSubject = "Your subscription has started!"
    static let expiredSubject = "Your subscription expired."

    static func queueStarted(_ c: Connection, mailer: Mailer, email: String, firstName: String, plan: String,
                             start: Int64, end: Int64) throws {
        let body = MailTemplate.render(
            greeting: "Hi \(firstName),",
            paragraphs: ["Thank you for subscribing to the \(plan) membership on Tsuna Streaming.",
                         "Your premium benefits are active from \(readable(start)) until \(readable(end))."],
            link: nil)
        try mailer.queue(c, to: email, subject: startedSubject, body: body)
    }

    static func queueExpired(_ c: Connection, mailer: Mailer, email: String, firstName: String, plan: String,
                             end: Int64) throws {
        let body = MailTemplate.render(
            greeting: "Hi \(firstName),",
            paragraphs: ["Your \(plan) membership on Tsuna Streaming ended on \(readable(end)).",
                         "You can subscribe to a plan again at any time:"],
            link: "\(mailer.domain)/memberships/v1/")
        try mailer.queue(c, to: email, subject: expiredSubject, body: body)
    }

    /// "2026-11-24 17:51 UTC": minutes are precise enough for a person.
    static func readable(_ micros: Int64) -> String {
        let full = Clock.rfc3339(micros)
        return full.prefix(10) + " " + full.dropFirst(11).prefix(5) + " UTC"
    }
}
