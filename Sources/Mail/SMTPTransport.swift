import CCurl
import FoundationEssentials

/// Delivers through an SMTP server with libcurl: `smtp://` (STARTTLS whenever the server offers it),
/// `smtps://` (TLS from the start), optional login, 10 s connect and 60 s total timeouts.
/// One connection per message: mail volume is low and this keeps no state between sends.
public final class SMTPTransport: MailTransport {
    /// The server URL, e.g. `smtp://mail.example.com:587` or `smtps://mail.example.com`.
    public let url: String
    private let user: String?
    private let password: String?

    /// Connect and total timeouts, seconds.
    static let connectTimeout = 10
    static let totalTimeout = 60

    /// Loading libcurl and curl_global_init are not thread-safe: both run exactly once (a static let is
    /// initialised once), on the first message sent — a server without SMTP never loads libcurl.
    private static let loaded: String? = {
        if let problem = tsuna_curl_load() { return "cannot load libcurl: \(String(cString: problem))" }
        guard tsuna_curl_global_init_default() == CURLE_OK else { return "curl_global_init failed" }
        return nil
    }()

    /// Creates a transport for `url`, logging in with `user`/`password` when a user is given.
    public init(url: String, user: String?, password: String?) {
        self.url = url
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password
    }

    /// Sends `message` from `from` (envelope: the bare address of `from`); throws MailError with curl's
    /// explanation on any failure.
    public func send(_ message: MailMessage, from: String) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw MailError("SMTP URL must start with smtp:// or smtps://")
        }
        if let problem = MailAddress.problem(with: message.to) { throw MailError("cannot send: \(problem)") }
        let sender = MailAddress.bare(MailAddress.sanitizedHeaderValue(from))
        if let problem = MailAddress.problem(with: sender) { throw MailError("bad sender address: \(problem)") }

        if let problem = SMTPTransport.loaded { throw MailError(problem) }
        guard let curl = tsuna_curl_easy_init() else { throw MailError("curl_easy_init failed") }
        defer { tsuna_curl_easy_cleanup(curl) }

        let errorSize = tsuna_curl_error_size()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorSize)
        errorBuffer.initialize(repeating: 0, count: errorSize)
        defer { errorBuffer.deallocate() }

        guard let recipients = tsuna_curl_slist_append(nil, "<" + message.to + ">") else {
            throw MailError("out of memory building the recipient list")
        }
        defer { tsuna_curl_slist_free_all(recipients) }

        let source = UploadSource(Array(MessageRenderer.render(message, from: from, date: Date()).utf8))
        let sourcePointer = Unmanaged.passRetained(source)
        defer { sourcePointer.release() }

        var setup = tsuna_curl_setopt_error_buffer(curl, errorBuffer)
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(tsuna_curl_setopt_string(curl, CURLOPT_URL, url))
        // Refuse anything but SMTP even if the URL were changed to another scheme.
        set(tsuna_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        set(tsuna_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))   // we run on our own thread
        set(tsuna_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, SMTPTransport.connectTimeout))
        set(tsuna_curl_setopt_long(curl, CURLOPT_TIMEOUT, SMTPTransport.totalTimeout))
        if lower.hasPrefix("smtp://") {
            set(tsuna_curl_setopt_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue)))
        }
        if let user {
            set(tsuna_curl_setopt_string(curl, CURLOPT_USERNAME, user))
            set(tsuna_curl_setopt_string(curl, CURLOPT_PASSWORD, password ?? ""))
        }
        set(tsuna_curl_setopt_string(curl, CURLOPT_MAIL_FROM, "<" + sender + ">"))
        set(tsuna_curl_setopt_slist(curl, CURLOPT_MAIL_RCPT, recipients))
        set(tsuna_curl_setopt_long(curl, CURLOPT_UPLOAD, 1))
        set(tsuna_curl_setopt_read_function(curl, uploadRead))
        set(tsuna_curl_setopt_pointer(curl, CURLOPT_READDATA, sourcePointer.toOpaque()))
        guard setup == CURLE_OK else {
            throw MailError("SMTP setup failed: \(String(cString: tsuna_curl_easy_strerror(setup)))")
        }

        let rc = tsuna_curl_easy_perform(curl)
        guard rc == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let summary = String(cString: tsuna_curl_easy_strerror(rc))
            throw MailError("SMTP delivery failed (curl \(rc.rawValue): \(summary))" + (detail.isEmpty ? "" : ": \(detail)"))
        }
    }
}

/// The rendered message being handed to curl's read callback.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// CURLOPT_READFUNCTION: copies the next chunk of the message; 0 at the end.
private func uploadRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                        _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
    let (capacity, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow, capacity > 0 else { return 0 }
    let n = min(capacity, source.bytes.count - source.offset)
    guard n > 0 else { return 0 }
    source.bytes.withUnsafeBufferPointer { all in
        if let base = all.baseAddress {
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + source.offset, byteCount: n)
        }
    }
    source.offset += n
    return n
}
