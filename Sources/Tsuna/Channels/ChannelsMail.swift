import Mail
import Store

/// The channels feature's messages (SPEC section 11).
enum ChannelsMail {
    static func queueCreated(_ c: Connection, mailer: Mailer, to email: String, name: String, title: String,
                             token: String) throws {
        let body = MailTemplate.render(
            greeting: "Hi \(name),",
            paragraphs: ["Your channel \"\(title)\" is ready. Upload videos and music, invite admins and grow your community."],
            link: "\(mailer.domain)/channels/v1/\(token)/")
        try mailer.queue(c, to: email, subject: "You've created a new Channel on Tsuna Streaming!", body: body)
    }

    static func queuePromoted(_ c: Connection, mailer: Mailer, to email: String, name: String, title: String) throws {
        let body = MailTemplate.render(
            greeting: "Hi \(name),",
            paragraphs: ["The owner of \"\(title)\" made you an admin of the channel."],
            link: nil)
        try mailer.queue(c, to: email, subject: "You've been promoted to admin of \(title)", body: body)
    }
}
