#if canImport(Glibc)
import Glibc
#endif

/// Severity of a log line, written as journald's priority prefix ("<3>") and a word.
public enum LogLevel: Sendable {
    case error, warning, info

    var prefix: String {
        switch self {
        case .error: return "<3>"
        case .warning: return "<4>"
        case .info: return "<6>"
        }
    }

    var word: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "info"
        }
    }
}

/// One line to stderr, e.g. "<6>2026-12-07T16:25:00Z info message", written with a single write(2) so
/// that lines from several threads do not interleave.
public func logLine(level: LogLevel, _ message: String) {
    var clock = timespec()
    clock_gettime(CLOCK_REALTIME, &clock)
    let line = Array("\(level.prefix)\(isoTimestamp(clock.tv_sec)) \(level.word) \(message)\n".utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// An info line (`logLine(level: .info, message)`).
public func logLine(_ message: String) {
    logLine(level: .info, message)
}

/// "2026-12-07T16:25:00Z" for a time in seconds since the epoch.
public func isoTimestamp(_ seconds: Int) -> String {
    var t = seconds
    var tmv = tm()
    gmtime_r(&t, &tmv)
    var buffer = [CChar](repeating: 0, count: 32)
    let n = strftime(&buffer, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The access log: one info line per answered request, holding no secret.
public enum AccessLog {
    /// The default `ServerConfiguration.redactPath`: the values of `signature` query parameters become "…".
    @Sendable public static func redactSignatures(_ target: String) -> String {
        // Most targets have no query: one byte scan, no Character processing.
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")),
              contains(target.utf8[question...], signatureBytes) else {
            return target
        }
        let pairs = target[target.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        let redacted = pairs.map { pair -> Substring in pair.hasPrefix("signature=") ? "signature=…" : pair }
        return target[...question] + redacted.joined(separator: "&")
    }

    private static let signatureBytes = Array("signature=".utf8)

    /// A plain scan: the standard library's `firstRange(of:)` on bytes goes through a generic searcher that
    /// cost more than the rest of the log line.
    private static func contains(_ bytes: Substring.UTF8View, _ needle: [UInt8]) -> Bool {
        var rest = bytes[...]
        while let first = rest.firstIndex(of: needle[0]) {
            if rest[first...].starts(with: needle) { return true }
            rest = rest[rest.index(after: first)...]
        }
        return false
    }

    /// "<6>2026-12-07T16:25:00Z info GET /path 200 12ms 345B 127.0.0.1 - <request id>\n": method, target
    /// (redacted), status, duration, response body bytes, client address, user (or "-"), request id.
    static func line(timestamp: String, method: String, target: String, status: Int, millis: Int64, bytes: Int,
                     client: String, user: String?, requestId: String) -> String {
        let who = user.map(field) ?? "-"
        return "<6>\(timestamp) info \(method) \(target) \(status) \(millis)ms \(bytes)B \(client) \(who) \(requestId)\n"
    }

    /// A value made safe for one space-separated field: no spaces, no control characters, not empty.
    static func field(_ value: String) -> String {
        // The usual value (a user token) is already safe: one byte scan, no copy.
        if !value.isEmpty, !value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { return value }
        let safe = String(value.unicodeScalars.map { $0.value <= 0x20 || $0.value == 0x7F ? "_" : Character($0) })
        return safe.isEmpty ? "-" : safe
    }
}
