import Platform
import XCTest
import Foundation
import HTTP
import TestSupport

/// A server on an ephemeral port of 127.0.0.1 with the routes a test registers; stopped after the test.
class ServerTestCase: XCTestCase {
    var server: HTTPServer?
    var tempDir = ""

    /// A responder in the shape the application installs: `{"detail": "…"}`.
    static let detailResponder: @Sendable (HTTPFailure) -> Response = { failure in
        let message: String
        switch failure {
        case .notFound: message = "Page not found."
        case .methodNotAllowed(let method, _): message = "Method \\\"\(method)\\\" not allowed."
        case .payloadTooLarge(let limit): message = "Request body is too large (limit \(limit) bytes)."
        case .internalError: message = "An internal server error occurred."
        case .malformed(_, let reason): message = reason
        default: message = "status \(failure.status)"
        }
        return Response.json(failure.status, Array("{\"detail\": \"\(message)\"}".utf8))
    }

    func configuration() -> ServerConfiguration {
        if tempDir.isEmpty { tempDir = TestServer.makeTempDirectory() }
        return ServerConfiguration(hosts: ["127.0.0.1"], port: 0, loopCount: 1, temporaryDirectory: tempDir,
                                   accessLog: false, failureResponder: Self.detailResponder)
    }

    @discardableResult
    func start(_ configure: (inout ServerConfiguration) -> Void = { _ in },
               routes: (Router) -> Void) throws -> HTTPServer {
        var config = configuration()
        configure(&config)
        let router = Router()
        routes(router)
        let server = HTTPServer(configuration: config, router: router)
        try server.start()
        self.server = server
        return server
    }

    func client() throws -> RawClient { try RawClient(port: server!.port) }

    /// Files left in the temporary directory (spilled bodies).
    var leftovers: [String] { (try? FileManager.default.contentsOfDirectory(atPath: tempDir)) ?? [] }

    override func tearDown() async throws {
        await server?.shutdown()
        server = nil
        if !tempDir.isEmpty { try? FileManager.default.removeItem(atPath: tempDir) }
        tempDir = ""
    }
}

/// Collects values from handlers running on other threads.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Locked<[Value]>([])
    func record(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }

    /// Waits (a bounded time) until something was recorded.
    func waitForValue(seconds: Double = 5) -> Value? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let first = all.first { return first }
            usleep(10_000)
        }
        return all.first
    }
}
