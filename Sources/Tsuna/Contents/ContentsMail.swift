import Mail
import Store

/// The contents feature's messages (SPEC section 11).
enum ContentsMail {
    /// "New video added to your channel." (or music) to the uploader and, if different, the channel owner.
    static func queueAdded(_ c: Connection, mailer: Mailer, kind: ContentKind, title: String, channelTitle: String,
                           link: String, recipients: [(email: String, name: String)]) throws {
        for r in recipients {
            let body = MailTemplate.render(
                greeting: "Hi \(r.name),",
                paragraphs: ["A new \(kind.word) \"\(title)\" was added to your channel \"\(channelTitle)\"."],
                link: link)
            try mailer.queue(c, to: r.email, subject: "New \(kind.word) added to your channel.", body: body)
        }
    }
}
