import Mail
import Store

/// The accounts feature's messages (SPEC section 11).
enum AccountsMail {
    static let verifySubject = "Verify Your Account on Tsuna Streaming"

    static func queueVerification(_ c: Connection, mailer: Mailer, email: String, firstName: String,
                                  verificationToken: String, userToken: String, ttlMinutes: Double) throws {
        let link = "\(mailer.domain)/accounts/v1/verify/\(verificationToken)/\(userToken)/"
        let minutes = ttlMinutes == ttlMinutes.rounded() ? String(Int(ttlMinutes)) : String(ttlMinutes)
        let body = MailTemplate.render(
            greeting: "Hi \(firstName),",
            paragraphs: ["Welcome to Tsuna Streaming! Please confirm your email address to activate your account.",
                         "The link below is valid for \(minutes) minutes."],
            link: link)
        try mailer.queue(c, to: email, subject: verifySubject, body: body)
    }
}

extension AccountsMail {
    static let resetSubject = "Reset your Tsuna Streaming password"

    static func queueReset(_ c: Connection, mailer: Mailer, email: String, firstName: String, link: String,
                           ttlMinutes: Double) throws {
        let minutes = ttlMinutes == ttlMinutes.rounded() ? String(Int(ttlMinutes)) : String(ttlMinutes)
        let body = MailTemplate.render(
            greeting: "Hi \(firstName),",
            paragraphs: ["Someone asked to reset the password of your Tsuna Streaming account. If it was you, choose a new password with the link below; it works once, for \(minutes) minutes.",
                         "If it was not you, ignore this mail: your password stays as it is."],
            link: link)
        try mailer.queue(c, to: email, subject: resetSubject, body: body)
    }
}
