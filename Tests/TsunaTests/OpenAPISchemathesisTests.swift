import XCTest
import Foundation
import TestSupport

/// Schemathesis (every check, every phase) against the real server: the document must describe what the server
/// does — statuses, content types, headers, bodies — and the server must refuse what the document calls invalid
/// and take what it calls valid. The account it uses is a real one, registered through the API and verified
/// through its mailed link; Tests/Schemathesis/schemathesis.toml names the few exceptions SPEC forces, and why.
/// `bash .ci/run` installs schemathesis; a missing one fails the test with what to install.
final class OpenAPISchemathesisTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemathesis").path

    func testTheLiveServerConformsToItsDocument() throws {
        guard FileManager.default.isExecutableFile(atPath: schemathesisPath() ?? "") else {
            XCTFail("schemathesis is missing (python3 -m pip install schemathesis); bash .ci/run installs it")
            return
        }
        // Throttles off: a 429 is documented, but an operation that only ever answers 429 tests nothing.
        let server = try TestServer(environment: ["TSUNA_THROTTLE_VIDEO": "off", "TSUNA_ACCESS_LOG": "off"])
        let user = try server.makeUser("schemathesis@example.com", password: "st-password-9")
        var environment = ProcessInfo.processInfo.environment
        environment["TSUNA_ST_EMAIL"] = user.email
        environment["TSUNA_ST_PASSWORD"] = user.password
        environment["SCHEMATHESIS_HOOKS"] = "hooks"
        environment["PYTHONPATH"] = OpenAPISchemathesisTests.folder
        let result = try run(schemathesisPath()!, [
            "--config-file", OpenAPISchemathesisTests.folder + "/schemathesis.toml",
            "run", "http://127.0.0.1:\(server.port)/openapi.json",
            // Small and reproducible: a fixed seed, a few examples per operation (about a minute in all).
            "--max-examples", "5", "--seed", "20261207", "--no-color",
        ], environment: environment, timeout: 240)
        XCTAssertEqual(result.status, 0, "schemathesis found failures:\n\(result.output)\nserver log:\n\(server.log.suffix(3000))")
        XCTAssertTrue(result.output.contains("Stateful"), result.output)
        if result.status == 0 { print(result.output.split(separator: "\n").suffix(14).joined(separator: "\n")) }
    }

    private func schemathesisPath() -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/schemathesis" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double) throws
        -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = environment
        p.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
