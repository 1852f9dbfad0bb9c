/// One queued message as the sender hands it to a transport.
public struct MailMessage: Sendable, Equatable {
    /// The outbox row id (also part of the Message-ID and of .eml file names).
    public var id: Int64
    /// The recipient's address.
    public var to: String
    /// The subject, as plain text (encoded on rendering when needed).
    public var subject: String
    /// The plain-text body, any line endings (normalised to CRLF on rendering).
    public var body: String

    /// Creates a message.
    public init(id: Int64, to: String, subject: String, body: String) {
        self.id = id
        self.to = to
        self.subject = subject
        self.body = body
    }
}

/// Delivers one rendered message. Throwing means "not delivered, try again later".
public protocol MailTransport: Sendable {
    /// Delivers `message` with `from` as sender (header and envelope).
    func send(_ message: MailMessage, from: String) throws
}

/// Why mail could not be queued or delivered.
public struct MailError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for logs and the outbox's last_error column.
    public var message: String

    /// Creates an error with the given explanation.
    public init(_ message: String) { self.message = message }

    /// The explanation.
    public var description: String { message }
}
