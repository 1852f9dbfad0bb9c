import Platform
import FoundationEssentials
import HTTP
import JSON
import Jobs
import Mail
import Store
import WriteBehind

/// The running service: configuration, store, mail, jobs and the HTTP server wired together.
public final class Application: Sendable {
    public let configuration: Configuration
    public let store: Store
    public let router = Router()
    public let metrics = HTTPMetrics()
    public let server: HTTPServer
    let services: Services
    let catalog = RouteCatalog()
    let scheduler: Scheduler
    let mailSender: MailSender

    /// Prepares the data folder, opens (and migrates) the database and registers every route.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        try DataDirectory.prepare(configuration)
        let secret = try DataDirectory.secret(configuration)
        store = try Store(path: configuration.databasePath, migrations: Schema.migrations)
        let transport: MailTransport = configuration.smtpURL.map {
            SMTPTransport(url: $0, user: configuration.smtpUser, password: configuration.smtpPassword)
        } ?? FileTransport(directory: configuration.mailDirectory)
        mailSender = MailSender(store: store, transport: transport, from: configuration.mailFrom,
                                log: { Log.background("mail: \($0)") })
        services = try Services(configuration: configuration, store: store, secret: secret, mailSender: mailSender)
        scheduler = Scheduler(log: Log.background)
        var http = ServerConfiguration(
            hosts: [configuration.host], port: configuration.port, maxConnections: configuration.maxConnections,
            temporaryDirectory: configuration.temporaryDirectory, accessLog: configuration.accessLog,
            failureResponder: HTTPWire.failureResponse)
        http.maxConnectionsPerAddress = configuration.maxConnectionsPerIP
        http.trustedProxies = configuration.trustedProxies
        http.redactPath = Redaction.path
        server = HTTPServer(configuration: http, router: router, metrics: metrics)
        registerRoutes()
        registerJobs()
    }

    private func registerRoutes() {
        let api = API(router: router, services: services, catalog: catalog)
        SystemRoutes.register(on: router, app: self)
        MediaRoutes.register(on: router, services: services)
        OpenAPIRoutes.register(on: router, catalog: catalog, version: TsunaVersion.string)
        AccountsRoutes(services: services).register(on: api)
        MembershipsRoutes(services: services).register(on: api)
        ChannelsRoutes(services: services).register(on: api)
        SubscribersRoutes(services: services).register(on: api)
        ChannelAdminsRoutes(services: services).register(on: api)
        ContentsRoutes(services: services, kind: .video).register(on: api)
        ContentsRoutes(services: services, kind: .music).register(on: api)
        VotesRoutes(services: services).register(on: api)
        ViewersRoutes(services: services).register(on: api)
        CommentsRoutes(services: services).register(on: api)
        AdminPanel(services: services).register(on: router)
    }

    private func registerJobs() {
        AccountsJobs.register(scheduler, services: services, interval: configuration.cleanupIntervalSeconds)
        MembershipsJobs.register(scheduler, services: services, interval: configuration.expiryCheckSeconds)
        MailRetention.register(scheduler, services: services, interval: configuration.cleanupIntervalSeconds)
    }

    /// Starts listening, the mail sender and the jobs. `port` is known afterwards.
    public func start() throws {
        let backupRequests = SnapshotBarrier.serve(dataDirectory: configuration.dataDirectory) { [services] in
            try await services.snapshotCaches()
        }
        server.onShutdown { [self, scheduler, mailSender, store, services] in
            backupRequests.cancel()
            scheduler.stop()
            // Everything acknowledged goes to SQLite before the store closes — or at least stays in a snapshot
            // for the next start. All caches together, under one deadline within systemd's stop timeout.
            let report = await WriteBehindShutdown.run(caches: services.caches, deadline: Application.cacheShutdownDeadline)
            if report.lostEntries > 0 {
                logLine(level: .error, "acknowledged writes could not be kept: \(report.description)")
                self.exitStatus.withLock { $0 = 1 }
            } else if !report.isFlushed {
                logLine(level: .warning, "not everything reached the database; the snapshots keep it for the next start: \(report.description)")
            }
            mailSender.stop()
            store.close()
        }
        let explicitDomain = configuration.domainIsExplicit
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        try server.start { [services] port in
            if !explicitDomain { services.site.setDomain("http://\(host):\(port)") }
        }
        mailSender.start()
        scheduler.start()
        for cache in services.caches {
            cache.startTimers(flushInterval: configuration.flushIntervalSeconds,
                              snapshotInterval: configuration.snapshotIntervalSeconds, log: Log.background)
        }
    }

    public var port: Int { server.port }

    /// How long the final snapshot and flush of every cache may take at shutdown, together.
    static let cacheShutdownDeadline: Duration = .seconds(20)
    /// 0, or 1 when the shutdown could not keep everything it had acknowledged.
    private let exitStatus = Locked<Int32>(0)

    /// Serves until SIGTERM/SIGINT, then shuts down gracefully; returns the process's exit status.
    public func runUntilTerminated() async -> Int32 {
        await server.runUntilTerminated()
        return exitStatus.withLock { $0 }
    }
}
