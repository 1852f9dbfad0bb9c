import FoundationEssentials
import Platform
import HTTP
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `tsuna <command>`: parses arguments, runs the command, returns the exit status.
public enum TsunaCommand {
    public static let usage = """
    usage: tsuna <command>

    commands:
      serve                  run the HTTP API (configuration from TSUNA_* environment variables)
      migrate                apply pending database migrations and exit
      create-admin --email E create an active site administrator (password read from stdin)
      backup <file> [--force]   write one archive of everything (database with every acknowledged write,
                             media, secret.key) to <file>, also while serving; --force replaces <file>
      restore <file> [--force]  rebuild the data folder from a backup while no server runs on it;
                             --force replaces a folder that is not empty
      openapi                print the API's OpenAPI 3.1 document (as /openapi.json serves it) and exit
      version                print the version, commit and build date
      help                   print this text

    """

    public static func run(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            StandardStream.error(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "serve": return await serve()
        case "migrate": return migrate()
        case "backup": return backup(rest)
        case "restore": return restore(rest)
        case "openapi": return openapi()
        case "create-admin":
            guard let config = loadConfiguration() else { return 2 }
            return CreateAdmin.run(rest, configuration: config)
        case "version", "--version", "-v":
            print(TsunaVersion.description)
            return 0
        case "help", "--help", "-h":
            print(usage + "environment (default):\n" +
                  Configuration.variables.map { "  \($0.name) (\($0.defaultValue))" }.joined(separator: "\n"))
            return 0
        default:
            StandardStream.error("tsuna: unknown command \"\(command)\"\n\n\(usage)")
            return 2
        }
    }

    static func fail(_ message: String) {
        StandardStream.error("tsuna: \(message)\n")
    }

    static func loadConfiguration() -> Configuration? {
        do {
            return try Configuration()
        } catch {
            fail("configuration error: \(error)")
            return nil
        }
    }

    static func serve() async -> Int32 {
        guard let config = loadConfiguration() else { return 2 }
        for warning in UnknownVariables.warnings(ProcessInfo.processInfo.environment) { logLine(level: .warning, warning) }
        let app: Application
        let lock: DataFolderLock
        do {
            // Before anything touches the folder: a second server would clear the first one's spilled uploads.
            lock = try DataFolderLock.acquire(config.dataDirectory, for: "serve")
            app = try Application(configuration: config)
            try app.start()
        } catch {
            fail("\(error)")
            return 1
        }
        let dataPath = URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path
        let hostInURL = config.host.contains(":") ? "[\(config.host)]" : config.host
        print("tsuna \(TsunaVersion.string) listening on http://\(hostInURL):\(app.port) (data in \(dataPath))")
        fflush(nil)  // all streams: the address line must reach a pipe at once
        let status = await app.runUntilTerminated()
        withExtendedLifetime(lock) {}
        return status
    }

    static func migrate() -> Int32 {
        guard let config = loadConfiguration() else { return 2 }
        do {
            try DataDirectory.prepare(config)
            let store = try Store(path: config.databasePath, migrations: Schema.migrations)
            store.close()
            print("database \(config.databasePath) is at schema version \(Schema.latestVersion)")
            return 0
        } catch {
            fail("\(error)")
            return 1
        }
    }

    /// `<file> [--force]` in any order; nil when the arguments are anything else.
    static func fileAndForce(_ args: [String]) -> (file: String, force: Bool)? {
        let force = args.contains("--force")
        let rest = args.filter { $0 != "--force" }
        guard rest.count == 1, let file = rest.first, !file.isEmpty, !file.hasPrefix("-") else { return nil }
        return (file, force)
    }

    /// Registers every route as `serve` does, on a throwaway data folder (the document depends on the
    /// configuration, not on any data), prints the document and exits without listening.
    static func openapi() -> Int32 {
        guard var config = loadConfiguration() else { return 2 }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("tsuna-openapi-\(ProcessInfo.processInfo.processIdentifier)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        config.dataDirectory = scratch
        do {
            let app = try Application(configuration: config)
            let document = OpenAPIDocument.build(app.router.routes, catalog: app.catalog, version: TsunaVersion.string)
            StandardStream.output(OpenAPIRoutes.bytes(document) + [UInt8(ascii: "\n")])
            app.store.close()
            return 0
        } catch {
            fail("\(error)")
            return 1
        }
    }

    static func backup(_ args: [String]) -> Int32 {
        guard let (file, force) = fileAndForce(args) else {
            fail("usage: tsuna backup <file> [--force]")
            return 2
        }
        guard let config = loadConfiguration() else { return 2 }
        DataDirectory.restrictNewFiles()
        do {
            let summary = try BackupWriter(configuration: config, target: file, force: force).write()
            print("backed up \(config.dataDirectory) to \(file): \(summary)")
            return 0
        } catch {
            fail("backup failed: \(error)")
            return 1
        }
    }

    static func restore(_ args: [String]) -> Int32 {
        guard let (file, force) = fileAndForce(args) else {
            fail("usage: tsuna restore <file> [--force]")
            return 2
        }
        guard let config = loadConfiguration() else { return 2 }
        DataDirectory.restrictNewFiles()
        do {
            let summary = try Restorer(configuration: config, source: file, force: force).run()
            print("restored \(file) into \(config.dataDirectory): \(summary)")
            return 0
        } catch {
            fail("restore failed: \(error)")
            return 1
        }
    }
}
