import Foundation
import HTTP
import Store

/// The running service: configuration, store and HTTP server wired together.
public final class Application: @unchecked Sendable {
    public let configuration: Configuration
    public let store: Store
    public let router = Router()
    public let metrics = HTTPMetrics()
    public private(set) var server: HTTPServer!
    let secret: [UInt8]

    /// Prepares the data folder, opens (and migrates) the database and registers every route.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        try DataDirectory.prepare(configuration)
        secret = try DataDirectory.secret(configuration)
        store = try Store(path: configuration.databasePath, migrations: Schema.migrations)
        registerRoutes()
    }

    private func registerRoutes() {
        SystemRoutes.register(on: router, app: self)
    }

    /// Starts listening. `port` is known afterwards.
    public func start() throws {
        let server = HTTPServer(configuration: ServerConfiguration(
            hosts: [configuration.host], port: configuration.port,
            maxConnections: configuration.maxConnections,
            temporaryDirectory: configuration.temporaryDirectory,
            accessLog: configuration.accessLog), router: router, metrics: metrics)
        server.onShutdown { [store] in store.close() }
        try server.start()
        self.server = server
    }

    public var port: Int { server.port }

    /// Serves until SIGTERM/SIGINT, then shuts down gracefully.
    public func runUntilTerminated() async {
        await server.runUntilTerminated()
    }
}
