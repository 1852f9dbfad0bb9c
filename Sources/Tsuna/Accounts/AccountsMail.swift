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
