import Foundation

/// The real `tsuna` binary, started on an ephemeral port with a fresh data folder.
public final class TestServer {
    public let process = Process()
    public let dataDirectory: String
    public private(set) var port: Int = 0
    public let environment: [String: String]
    private let stdoutPipe = Pipe()
    public let logPath: String

    /// The built `tsuna` executable next to the test bundle.
    public static var binaryPath: String {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("tsuna").path,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                              .appendingPathComponent("tsuna").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Starts `tsuna serve`; returns once it printed its address. `dataDirectory` defaults to a new temp folder.
    public init(environment extra: [String: String] = [:], dataDirectory: String? = nil,
                arguments: [String] = ["serve"], logPath: String? = nil) throws {
        let dir = dataDirectory ?? TestServer.makeTempDirectory()
        self.dataDirectory = dir
        self.logPath = logPath ?? dir + ".log"
        var env = ProcessInfo.processInfo.environment
        env["TSUNA_DATA_DIR"] = dir
        env["TSUNA_PORT"] = "0"
        env["TSUNA_PASSWORD_ITERATIONS"] = env["TSUNA_PASSWORD_ITERATIONS"] ?? "1000"
        env["TSUNA_THROTTLE_AUTH"] = env["TSUNA_THROTTLE_AUTH"] ?? "off"
        for (k, v) in extra { env[k] = v }
        environment = env
        process.executableURL = URL(fileURLWithPath: TestServer.binaryPath)
        process.arguments = arguments
        process.environment = env
        process.standardOutput = stdoutPipe
        _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: self.logPath)
        try process.run()
        // The first stdout line names the address: "... listening on http://127.0.0.1:PORT (data in …)".
        var line = Data()
        let handle = stdoutPipe.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #":(\d+) "#, options: .regularExpression),
              let p = Int(text[range].dropFirst().dropLast()) else {
            process.waitUntilExit()
            throw TestFailure("server did not start: \(text) \(log)")
        }
        port = p
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// SIGKILL, no cleanup.
    public func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public func client() throws -> RawClient { try RawClient(port: port) }

    public static func makeTempDirectory() -> String {
        (try? TemporaryDirectory().path) ?? NSTemporaryDirectory() + "tsuna-test-" + UUID().uuidString
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
