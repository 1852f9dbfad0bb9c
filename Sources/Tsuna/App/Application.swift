import Foundation
import HTTP
import JSON
import Jobs
import Mail
import Store

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
                                log: { logLine("mail: \($0)") })
        services = try Services(configuration: configuration, store: store, secret: secret, mailSender: mailSender)
        scheduler = Scheduler(log: { logLine($0) })
        server = HTTPServer(configuration: ServerConfiguration(
            hosts: [configuration.host], port: configuration.port,
            maxConnections: configuration.maxConnections,
            temporaryDirectory: configuration.temporaryDirectory,
            accessLog: configuration.accessLog, failureResponder: HTTPWire.failureResponse), router: router, metrics: metrics)
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
    }

    /// Starts listening, the mail sender and the jobs. `port` is known afterwards.
    public func start() throws {
        server.onShutdown { [scheduler, mailSender, store, services] in
            scheduler.stop()
            // Everything acknowledged goes to SQLite before the store closes.
            for cache in services.caches {
                do { try await cache.shutdown() } catch { logLine("cache \(cache.name): final flush failed: \(error)") }
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
                              snapshotInterval: configuration.snapshotIntervalSeconds, log: { logLine($0) })
        }
    }

    public var port: Int { server.port }

    /// Serves until SIGTERM/SIGINT, then shuts down gracefully.
    public func runUntilTerminated() async {
        await server.runUntilTerminated()
    }
}
