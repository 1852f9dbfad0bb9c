import FoundationEssentials
import Platform
import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// A bad environment variable: `serve` stops with exit status 2 and this message, before it listens.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let problem: String
    public var description: String { "\(variable): \(problem)" }
}

/// A token-bucket rate: `N/second|minute|hour|day` (or `s`, `m`, `h`, `d`), or nil for `off`.
public struct ThrottleRate: Equatable, Sendable {
    public let requests: Int
    public let periodSeconds: Double

    /// Parses the SPEC syntax; returns .some(nil) for "off", nil for a bad value.
    static func parse(_ text: String) -> ThrottleRate?? {
        let t = text.trimmingWhitespace().lowercased()
        if t == "off" { return .some(nil) }
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[0]), n > 0, n <= 1_000_000 else { return nil }
        let period: Double
        switch parts[1] {
        case "s", "second", "sec": period = 1
        case "m", "minute", "min": period = 60
        case "h", "hour": period = 3600
        case "d", "day": period = 86400
        default: return nil
        }
        return .some(ThrottleRate(requests: n, periodSeconds: period))
    }
}

/// Everything `tsuna` reads from its environment (SPEC section 12), parsed and validated once at start.
public struct Configuration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int
    public var domain: String
    /// False when `domain` is the default built from host and port.
    public var domainIsExplicit: Bool
    public var secretKey: String?
    public var smtpURL: String?
    public var smtpUser: String?
    public var smtpPassword: String?
    public var mailFrom: String
    public var flushIntervalSeconds: Double
    public var snapshotIntervalSeconds: Double
    public var throttleAuth: ThrottleRate?
    public var throttleVideo: ThrottleRate?
    public var adminMinSubscriptionHours: Double
    public var membershipMonthDays: Double
    public var expiryCheckSeconds: Double
    public var verificationTTLMinutes: Double
    public var passwordIterations: Int
    public var accessTokenMinutes: Double
    public var refreshTokenDays: Double
    public var videoLimitNormalMB: Int
    public var videoLimitPremiumMB: Int
    public var musicLimitNormalMB: Int
    public var musicLimitPremiumMB: Int
    public var imageLimitMB: Int
    public var maxConnections: Int
    public var cacheShards: Int
    public var cleanupIntervalSeconds: Double
    public var accessLog: Bool
    public var resetTTLMinutes: Double
    public var maxConnectionsPerIP: Int
    /// Bearer token that lets non-loopback peers read /metrics (unset: loopback only).
    public var metricsToken: String?
    /// Addresses and CIDR blocks of reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: TrustedProxies

    public var databasePath: String { dataDirectory + "/tsuna.sqlite" }
    public var mediaDirectory: String { dataDirectory + "/media" }
    public var snapshotDirectory: String { dataDirectory + "/snapshots" }
    public var mailDirectory: String { dataDirectory + "/mail" }
    public var temporaryDirectory: String { dataDirectory + "/tmp" }
    public var secretKeyPath: String { dataDirectory + "/secret.key" }

    /// Every variable this binary reads, with its default, for `tsuna help` and the README.
    public static let variables: [(name: String, defaultValue: String)] = [
        ("TSUNA_DATA_DIR", "./data"),
        ("TSUNA_HOST", "127.0.0.1"),
        ("TSUNA_PORT", "8000"),
        ("TSUNA_DOMAIN", "http://<host>:<port>"),
        ("TSUNA_SECRET_KEY", "read or created in <data>/secret.key"),
        ("TSUNA_SMTP_URL", "unset: mail is written to <data>/mail/*.eml"),
        ("TSUNA_SMTP_USER", "unset"),
        ("TSUNA_SMTP_PASSWORD", "unset"),
        ("TSUNA_MAIL_FROM", "contact@tsuna-streaming.local"),
        ("TSUNA_FLUSH_INTERVAL_SECONDS", "60"),
        ("TSUNA_SNAPSHOT_INTERVAL_SECONDS", "1"),
        ("TSUNA_THROTTLE_AUTH", "2/second"),
        ("TSUNA_THROTTLE_VIDEO", "5/second"),
        ("TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS", "24"),
        ("TSUNA_MEMBERSHIP_MONTH_DAYS", "30"),
        ("TSUNA_EXPIRY_CHECK_SECONDS", "60"),
        ("TSUNA_VERIFICATION_TTL_MINUTES", "10"),
        ("TSUNA_PASSWORD_ITERATIONS", "600000"),
        ("TSUNA_ACCESS_TOKEN_MINUTES", "60"),
        ("TSUNA_REFRESH_TOKEN_DAYS", "30"),
        ("TSUNA_VIDEO_LIMIT_NORMAL_MB", "50"),
        ("TSUNA_VIDEO_LIMIT_PREMIUM_MB", "100"),
        ("TSUNA_MUSIC_LIMIT_NORMAL_MB", "10"),
        ("TSUNA_MUSIC_LIMIT_PREMIUM_MB", "20"),
        ("TSUNA_IMAGE_LIMIT_MB", "5"),
        ("TSUNA_MAX_CONNECTIONS", "10000"),
        ("TSUNA_CACHE_SHARDS", "4 × cores"),
        ("TSUNA_CLEANUP_INTERVAL_SECONDS", "900"),
        ("TSUNA_ACCESS_LOG", "on"),
        ("TSUNA_RESET_TTL_MINUTES", "30"),
        ("TSUNA_MAX_CONNECTIONS_PER_IP", "256"),
        ("TSUNA_TRUSTED_PROXIES", "none"),
        ("TSUNA_METRICS_TOKEN", "unset: /metrics answers loopback peers only"),
    ]

    /// Reads and validates the environment. Throws the first bad variable.
    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        let reader = EnvironmentReader(env)
        dataDirectory = try reader.string("TSUNA_DATA_DIR", default: "./data", nonEmpty: true)
        host = try reader.host("TSUNA_HOST", default: "127.0.0.1")
        port = try reader.int("TSUNA_PORT", default: 8000, range: 0...65535)
        let hostInURL = host.contains(":") ? "[\(host)]" : host
        domain = try reader.url("TSUNA_DOMAIN", default: "http://\(hostInURL):\(port)")
        domainIsExplicit = env["TSUNA_DOMAIN"].map { !$0.trimmingWhitespace().isEmpty } ?? false
        secretKey = try reader.optional("TSUNA_SECRET_KEY", minLength: 16)
        smtpURL = try reader.smtpURL("TSUNA_SMTP_URL")
        smtpUser = reader.env["TSUNA_SMTP_USER"].flatMap { $0.isEmpty ? nil : $0 }
        smtpPassword = reader.env["TSUNA_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        mailFrom = try reader.email("TSUNA_MAIL_FROM", default: "contact@tsuna-streaming.local")
        flushIntervalSeconds = try reader.decimal("TSUNA_FLUSH_INTERVAL_SECONDS", default: 60, min: 0.01)
        snapshotIntervalSeconds = try reader.decimal("TSUNA_SNAPSHOT_INTERVAL_SECONDS", default: 1, min: 0.01)
        throttleAuth = try reader.throttle("TSUNA_THROTTLE_AUTH", default: "2/second")
        throttleVideo = try reader.throttle("TSUNA_THROTTLE_VIDEO", default: "5/second")
        adminMinSubscriptionHours = try reader.decimal("TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS", default: 24, min: 0)
        membershipMonthDays = try reader.decimal("TSUNA_MEMBERSHIP_MONTH_DAYS", default: 30, min: 0)
        expiryCheckSeconds = try reader.decimal("TSUNA_EXPIRY_CHECK_SECONDS", default: 60, min: 0.01)
        verificationTTLMinutes = try reader.decimal("TSUNA_VERIFICATION_TTL_MINUTES", default: 10, min: 0)
        passwordIterations = try reader.int("TSUNA_PASSWORD_ITERATIONS", default: 600_000, range: 1...10_000_000)
        accessTokenMinutes = try reader.decimal("TSUNA_ACCESS_TOKEN_MINUTES", default: 60, min: 0.01)
        refreshTokenDays = try reader.decimal("TSUNA_REFRESH_TOKEN_DAYS", default: 30, min: 0.0001)
        videoLimitNormalMB = try reader.int("TSUNA_VIDEO_LIMIT_NORMAL_MB", default: 50, range: 1...100_000)
        videoLimitPremiumMB = try reader.int("TSUNA_VIDEO_LIMIT_PREMIUM_MB", default: 100, range: 1...100_000)
        musicLimitNormalMB = try reader.int("TSUNA_MUSIC_LIMIT_NORMAL_MB", default: 10, range: 1...100_000)
        musicLimitPremiumMB = try reader.int("TSUNA_MUSIC_LIMIT_PREMIUM_MB", default: 20, range: 1...100_000)
        imageLimitMB = try reader.int("TSUNA_IMAGE_LIMIT_MB", default: 5, range: 1...10_000)
        maxConnections = try reader.int("TSUNA_MAX_CONNECTIONS", default: 10_000, range: 1...1_000_000)
        cacheShards = try reader.int("TSUNA_CACHE_SHARDS",
                                     default: 4 * ProcessInfo.processInfo.activeProcessorCount, range: 1...1024)
        cleanupIntervalSeconds = try reader.decimal("TSUNA_CLEANUP_INTERVAL_SECONDS", default: 900, min: 0.01)
        accessLog = try reader.bool("TSUNA_ACCESS_LOG", default: true)
        resetTTLMinutes = try reader.decimal("TSUNA_RESET_TTL_MINUTES", default: 30, min: 0)
        maxConnectionsPerIP = try reader.int("TSUNA_MAX_CONNECTIONS_PER_IP", default: 256, range: 1...1_000_000)
        metricsToken = try reader.optional("TSUNA_METRICS_TOKEN", minLength: 16)
        trustedProxies = try reader.trustedProxies("TSUNA_TRUSTED_PROXIES")
    }
}

/// Parses one variable at a time, naming it in every error.
struct EnvironmentReader {
    let env: [String: String]
    init(_ env: [String: String]) { self.env = env }

    private func raw(_ name: String) -> String? {
        guard let v = env[name] else { return nil }
        let t = v.trimmingWhitespace()
        return t.isEmpty ? nil : t
    }

    func string(_ name: String, default d: String, nonEmpty: Bool) throws -> String {
        raw(name) ?? d
    }

    func optional(_ name: String, minLength: Int) throws -> String? {
        guard let v = raw(name) else { return nil }
        guard v.utf8.count >= minLength else {
            throw ConfigurationError(variable: name, problem: "must be at least \(minLength) characters long")
        }
        return v
    }

    func int(_ name: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = raw(name) else { return d }
        guard let n = Int(v), range.contains(n) else {
            throw ConfigurationError(variable: name, problem: "expected an integer in \(range.lowerBound)…\(range.upperBound), got \"\(v)\"")
        }
        return n
    }

    func decimal(_ name: String, default d: Double, min: Double) throws -> Double {
        guard let v = raw(name) else { return d }
        guard let n = Double(v), n.isFinite, n >= min, n <= 1e9 else {
            throw ConfigurationError(variable: name, problem: "expected a number ≥ \(min), got \"\(v)\"")
        }
        return n
    }

    func bool(_ name: String, default d: Bool) throws -> Bool {
        guard let v = raw(name)?.lowercased() else { return d }
        switch v {
        case "1", "true", "on", "yes": return true
        case "0", "false", "off", "no": return false
        default: throw ConfigurationError(variable: name, problem: "expected on or off, got \"\(v)\"")
        }
    }

    func trustedProxies(_ name: String) throws -> TrustedProxies {
        guard let text = raw(name) else { return TrustedProxies() }
        do {
            return try TrustedProxies.parse(text)
        } catch {
            throw ConfigurationError(variable: name, problem: "\(error) (expected addresses or CIDR blocks, comma-separated)")
        }
    }

    func throttle(_ name: String, default d: String) throws -> ThrottleRate? {
        let v = raw(name) ?? d
        guard let parsed = ThrottleRate.parse(v) else {
            throw ConfigurationError(variable: name, problem: "expected N/second, N/minute, N/hour, N/day or off, got \"\(v)\"")
        }
        return parsed
    }

    func host(_ name: String, default d: String) throws -> String {
        let v = raw(name) ?? d
        var a4 = in_addr(), a6 = in6_addr()
        let h = v.hasPrefix("[") && v.hasSuffix("]") ? String(v.dropFirst().dropLast()) : v
        if inet_pton(AF_INET, h, &a4) == 1 || inet_pton(AF_INET6, h, &a6) == 1 { return h }
        if h == "localhost" { return "127.0.0.1" }
        throw ConfigurationError(variable: name, problem: "expected a numeric IPv4 or IPv6 address, got \"\(v)\"")
    }

    func url(_ name: String, default d: String) throws -> String {
        guard let v = raw(name) else { return d }
        guard let u = URLComponents(string: v), let scheme = u.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = u.host, !host.isEmpty else {
            throw ConfigurationError(variable: name, problem: "expected an http:// or https:// URL, got \"\(v)\"")
        }
        return v.hasSuffix("/") ? String(v.dropLast()) : v
    }

    func smtpURL(_ name: String) throws -> String? {
        guard let v = raw(name) else { return nil }
        guard let u = URLComponents(string: v), let scheme = u.scheme?.lowercased(),
              scheme == "smtp" || scheme == "smtps", let host = u.host, !host.isEmpty else {
            throw ConfigurationError(variable: name, problem: "expected smtp://host[:port] or smtps://host[:port], got \"\(v)\"")
        }
        return v
    }

    func email(_ name: String, default d: String) throws -> String {
        let v = raw(name) ?? d
        let parts = v.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !v.contains(" "),
              !v.contains("\r"), !v.contains("\n"), !v.contains("<"), !v.contains(">") else {
            throw ConfigurationError(variable: name, problem: "expected an email address, got \"\(v)\"")
        }
        return v
    }
}
