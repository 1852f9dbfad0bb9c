import Foundation
import HTTP
import Store
import TestSupport
@testable import Tsuna

/// The application in this test process, its router driven through `InProcessClient` — the server's own
/// pipeline (routing, limits, handlers, error bodies) without a socket — over a real SQLite file in a
/// temporary folder. Most feature scenarios run here in milliseconds; real-process tests keep what needs the
/// process: shutdown, the command line, mail, crashes, sockets.
final class InProcessWorld: @unchecked Sendable {   // a test fixture used from one test at a time
    let app: Application
    let client: InProcessClient
    let folder: TemporaryDirectory

    init(_ environment: [String: String] = [:]) throws {
        folder = try TemporaryDirectory()
        var env = ["TSUNA_DATA_DIR": folder.path, "TSUNA_PASSWORD_ITERATIONS": "1000", "TSUNA_THROTTLE_AUTH": "off",
                   "TSUNA_THROTTLE_VIDEO": "off", "TSUNA_ACCESS_LOG": "off", "TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS": "0"]
        for (k, v) in environment { env[k] = v }
        app = try Application(configuration: Configuration(environment: env))
        var http = ServerConfiguration(accessLog: false, failureResponder: HTTPWire.failureResponse)
        http.temporaryDirectory = app.configuration.temporaryDirectory
        client = InProcessClient(router: app.router, configuration: http)
    }

    deinit {
        app.store.close()
        folder.remove()
    }

    struct Answer {
        let status: Int
        let bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var detail: String? { object["detail"] as? String }
    }

    func send(_ method: String, _ path: String, token: String? = nil, json: Any? = nil) async throws -> Answer {
        var headers = HTTPHeaders()
        if let token { headers.add("Authorization", "Bearer \(token)") }
        var body: [UInt8] = []
        if let json {
            headers.add("Content-Type", "application/json")
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
        }
        let r = await client.send(method: method, target: path, headers: headers, body: body)
        return Answer(status: r.status, bytes: (try? r.body.allBytes()) ?? [])
    }

    /// An active account, logged in: registered through the API, verified with the token its mail carries.
    func user(_ email: String, first: String = "Ada", admin: Bool = false) async throws -> (token: String, access: String) {
        let password = "correct-horse-9"
        let r = try await send("POST", "/accounts/v1/register/", json: ["email": email, "password": password, "first_name": first])
        guard r.status == 201, let token = r.object["token"] as? String else { throw TestFailure("register: \(r.text)") }
        let verification = try app.store.read { c in
            try c.queryOne("SELECT v.token FROM verification_tokens v JOIN users u ON u.id = v.user_id WHERE u.token = ?",
                           [token]) { $0.string("token") }
        }
        guard let verification else { throw TestFailure("no verification token") }
        guard try await send("GET", "/accounts/v1/verify/\(verification)/\(token)/").status == 200 else { throw TestFailure("verify") }
        if admin { _ = try await app.store.write { try $0.run("UPDATE users SET is_admin = 1 WHERE token = ?", [token]) } }
        let l = try await send("POST", "/accounts/v1/login/", json: ["email": email, "password": password])
        guard let access = l.object["access"] as? String else { throw TestFailure("login: \(l.text)") }
        return (token, access)
    }
}
