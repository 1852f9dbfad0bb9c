import Foundation
import HTTP
import Store
import Security
import WriteBehind

/// Everything a feature's handlers need, built once at start.
final class Services: @unchecked Sendable {
    let configuration: Configuration
    let store: Store
    let jwt: JWTSigner
    let passwords: PasswordHasher
    let urlSigner: URLSigner
    let mailer: Mailer
    let media: MediaStorage
    let authThrottle: RateLimiter?
    let videoThrottle: RateLimiter?
    /// Users by token, cached briefly (owned by the accounts feature; others invalidate entries they change).
    let users: UserDirectory
    /// Channels by token, cached briefly (owned by the channels feature, which invalidates on change).
    let channels: ChannelDirectory
    /// Channel subscriptions, through the write-behind cache (SPEC section 10).
    let subscriptions: WriteBehindCache<DatedTable>
    /// Votes on contents, through the write-behind cache (SPEC section 8).
    let votes: WriteBehindCache<VotesTable>
    /// Views of contents, through the write-behind cache (SPEC sections 7 and 9).
    let views: WriteBehindCache<DatedTable>
    /// Called with the ids of deleted contents so per-item caches (votes, views) drop what they hold.
    var contentDeletionHooks: [@Sendable ([Int64]) async -> Void] = []
    /// Caches other features add (votes, views).
    var extraCaches: [any ManagedCache] = []
    /// Resolves the bearer token of a request (set by the accounts feature).
    var authenticator: ((Request) throws -> Caller?)!

    init(configuration: Configuration, store: Store, secret: [UInt8], mailer: Mailer, site: Site) throws {
        self.configuration = configuration
        subscriptions = try WriteBehindCache(table: DatedTable.subscriptions, store: store, shardCount: configuration.cacheShards,
                                             snapshotDirectory: configuration.snapshotDirectory)
        let votes = try WriteBehindCache(table: VotesTable(), store: store, shardCount: configuration.cacheShards,
                                         snapshotDirectory: configuration.snapshotDirectory)
        let views = try WriteBehindCache(table: DatedTable.viewers, store: store, shardCount: configuration.cacheShards,
                                         snapshotDirectory: configuration.snapshotDirectory)
        self.votes = votes
        self.views = views
        self.site = site
        self.store = store
        // Separate keys per purpose, derived from the one secret.
        jwt = JWTSigner(key: HMACSHA256.mac(key: secret, message: "tsuna/jwt"))
        urlSigner = URLSigner(key: HMACSHA256.mac(key: secret, message: "tsuna/media-url"))
        passwords = PasswordHasher(iterations: configuration.passwordIterations)
        self.mailer = mailer
        users = UserDirectory(store: store)
        channels = ChannelDirectory(store: store)
        media = MediaStorage(directory: configuration.mediaDirectory, site: site)
        authThrottle = configuration.throttleAuth.map { RateLimiter(rate: $0) }
        videoThrottle = configuration.throttleVideo.map { RateLimiter(rate: $0) }
        extraCaches = [votes, views]
        contentDeletionHooks.append { ids in
            for id in ids {
                await votes.forgetOwner(id)
                await views.forgetOwner(id)
            }
        }
    }

    func authenticate(_ request: Request) throws -> Caller? {
        try authenticator(request)
    }

    var domain: String { site.domain }
    let site: Site
}

/// The public base URL (`TSUNA_DOMAIN`). When it is not configured it follows the bound port, which is only
/// known after binding (port 0), so it is set once before the first request is served.
final class Site: @unchecked Sendable {
    private(set) var domain: String
    init(domain: String) { self.domain = domain }
    func setDomain(_ d: String) { domain = d }
}

/// What the application does with every write-behind cache, whatever its table: timers, final flush, figures.
protocol ManagedCache: Sendable {
    var name: String { get }
    func startTimers(flushInterval: Double, snapshotInterval: Double, log: @escaping @Sendable (String) -> Void)
    func shutdown() async throws
    func stats() async -> CacheStats
}

extension WriteBehindCache: ManagedCache {}

extension Services {
    /// Every write-behind cache, for the application's timers, shutdown and metrics.
    var caches: [any ManagedCache] { [subscriptions] + extraCaches }
}
