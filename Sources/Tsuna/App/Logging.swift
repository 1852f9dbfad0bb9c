import HTTP

/// What the application logs beyond the server's access lines: journald levels (`<3>` error, `<4>` warning,
/// `<6>` info) so `journalctl -p err` finds every failure.
enum Log {
    /// A line from a background worker (jobs, mail, write-behind caches), whose modules report plain text:
    /// failures and refusals are errors, the rest information.
    @Sendable static func background(_ message: String) {
        logLine(level: level(of: message), message)
    }

    static func level(of message: String) -> LogLevel {
        let errorWords = ["failed", "giving up", "refusing", "dropped", "disk is full", "cannot", "could not", "lost"]
        if errorWords.contains(where: message.contains) { return .error }
        if message.contains("warning") { return .warning }
        return .info
    }
}

/// The access log never holds a secret (SPEC 12, the hostile-clients issue): verification and reset tokens
/// travel in paths, private media signatures in queries; those parts are logged as "…".
enum Redaction {
    @Sendable static func path(_ target: String) -> String {
        let query = AccessLog.redactSignatures(target)
        // Every request passes here: only the two link routes that carry a secret are split.
        let bytes = query.utf8
        guard bytes.starts(with: verifyPrefix) || bytes.starts(with: resetPrefix) else { return query }
        var segments = query.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "accounts", "v1", "verify", <token>, <user>, …] and ["", "accounts", "v1", "password", "reset", <token>, …]
        if segments.count > 4, segments[3] == "verify" {
            segments[4] = "…"
        } else if segments.count > 5, segments[3] == "password", segments[4] == "reset", !segments[5].isEmpty,
                  !segments[5].hasPrefix("?") {
            segments[5] = segments[5].contains("?") ? "…" + segments[5][segments[5].firstIndex(of: "?")!...] : "…"
        }
        return segments.joined(separator: "/")
    }

    private static let verifyPrefix = Array("/accounts/v1/verify/".utf8)
    private static let resetPrefix = Array("/accounts/v1/password/reset/".utf8)
}
