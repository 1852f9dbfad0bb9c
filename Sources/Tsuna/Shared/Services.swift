import Platform
import FoundationEssentials
import Mail
import Security
import Store
import WriteBehind

/// Everything the features' handlers need, built once at start and never changed afterwards.
final class Services: Sendable {
    let configuration: Configuration
    let store: Store
    /// The public base URL of links and media.
    let site: Site
    let jwt: JWTSigner
    let passwords: PasswordHasher
    let urlSigner: URLSigner
    /// Seals the position keys of list links.
    let cursors: SealedNumbers
    let mailer: Mailer
    let media: MediaStorage
    /// The media folder's size, measured in the background (the dashboard and /metrics share it).
    let mediaUsage: MediaUsage
    let authentication: Authentication
    let authThrottle: RateLimiter?
    let videoThrottle: RateLimiter?
    /// Users by token and their display references by id, cached briefly (owned by the accounts feature).
    let users: UserDirectory
    /// Channels by token and by id, cached briefly (owned by the channels feature).
    let channels: ChannelDirectory
    /// Channel subscriptions, through the write-behind cache (SPEC section 10).
    let subscriptions: WriteBehindCache<DatedTable>
    /// Votes on contents, through the write-behind cache (SPEC section 8).
    let votes: WriteBehindCache<VotesTable>
    /// Views of contents, through the write-behind cache (SPEC sections 7 and 9).
    let views: WriteBehindCache<DatedTable>

    init(configuration: Configuration, store: Store, secret: [UInt8], mailSender: MailSender?) throws {
        self.configuration = configuration
        self.store = store
        site = Site(domain: configuration.domain)
        func cache<T: WriteBehindTable>(_ table: T) throws -> WriteBehindCache<T> {
            try WriteBehindCache(table: table, store: store, shardCount: configuration.cacheShards,
                                 snapshotDirectory: configuration.snapshotDirectory)
        }
        subscriptions = try cache(DatedTable.subscriptions)
        votes = try cache(VotesTable())
        views = try cache(DatedTable.viewers)
        // Separate keys per purpose, derived from the one secret.
        jwt = JWTSigner(key: HMACSHA256.mac(key: secret, message: "tsuna/jwt"))
        urlSigner = URLSigner(key: HMACSHA256.mac(key: secret, message: "tsuna/media-url"))
        cursors = SealedNumbers(key: HMACSHA256.mac(key: secret, message: "tsuna/list-cursor"))
        passwords = PasswordHasher(iterations: configuration.passwordIterations)
        mailer = Mailer(sender: mailSender, site: site)
        users = UserDirectory(store: store)
        channels = ChannelDirectory(store: store)
        media = MediaStorage(directory: configuration.mediaDirectory, site: site)
        mediaUsage = MediaUsage(directory: configuration.mediaDirectory)
        authentication = Authentication(jwt: jwt, users: users,
                                        revoked: try RevokedTokens(store: store, now: Clock.nowSeconds()),
                                        configuration: configuration)
        authThrottle = configuration.throttleAuth.map { RateLimiter(rate: $0) }
        videoThrottle = configuration.throttleVideo.map { RateLimiter(rate: $0) }
    }

    var domain: String { site.domain }

    /// Every write-behind cache, for the application's timers, shutdown and metrics.
    var caches: [any WriteBehindCacheControl] { [subscriptions, votes, views] }

    /// Writes every cache's pending entries to its snapshot files now (for `tsuna backup`).
    func snapshotCaches() async throws {
        _ = try await subscriptions.snapshot()
        _ = try await votes.snapshot()
        _ = try await views.snapshot()
    }

    /// Contents were deleted (their rows went by cascade): the item-keyed caches drop what they still hold.
    func forgetContents(_ ids: [Int64]) async {
        for id in ids {
            await votes.forgetOwner(id)
            await views.forgetOwner(id)
        }
    }
}

/// The public base URL (`TSUNA_DOMAIN`). When it is not configured it follows the bound port, which is only
/// known after binding (port 0), so it is set once before the first request is served.
final class Site: Sendable {
    private let value: Locked<String>
    init(domain: String) { value = Locked(domain) }
    var domain: String { value.withLock { $0 } }
    func setDomain(_ domain: String) { value.withLock { $0 = domain } }
}
