import XCTest
import Foundation
import TestSupport

/// Every route of the live OpenAPI document, hit with hostile parameters and bodies: never a 500, never a hang.
final class HostileInputTests: XCTestCase {
    func testEveryRouteAnswersHostileInputWithoutAServerError() throws {
        let server = try TestServer()
        let user = try server.makeUser()
        let admin = try server.makeAdmin()
        let c = try server.client()
        let doc = try c.request("GET", "/openapi.json")
        let paths = try XCTUnwrap((doc.json as? [String: Any])?["paths"] as? [String: [String: Any]])
        XCTAssertGreaterThan(paths.count, 10)
        let parameterValues = [UUID().uuidString.lowercased(), "x", "%00", "..%2F..%2Fetc", String(repeating: "a", count: 300), "%F0%9F%98%80"]
        let bodies: [(String, [UInt8])] = [
            ("application/json", []), ("application/json", Array("null".utf8)), ("application/json", Array("[]".utf8)),
            ("application/json", Array("{".utf8)), ("application/json", Array(#"{"title": 5, "user": [], "choice": {}, "permissions": "x", "active_months": 1e400, "price": -99999999999999999999}"#.utf8)),
            ("application/json", Array(#"{"title": "\u0000", "body": "\ud800"}"#.utf8)),
            ("application/x-www-form-urlencoded", Array("title=%zz&&=&a".utf8)),
            ("multipart/form-data; boundary=XX", Array("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x\"\r\n\r\nabc".utf8)),
            ("multipart/form-data", Array("no boundary".utf8)),
            ("text/plain", Array("hello".utf8)),
            ("application/json", (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 7919) }),
        ]
        var requests = 0
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
            for method in methods.keys.map({ $0.uppercased() }) {
                for value in parameterValues {
                    let concrete = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: value, options: .regularExpression)
                    for token in [user.access, admin.access] {
                        for (type, body) in (["POST", "PUT", "PATCH"].contains(method) ? bodies : [("application/json", [])]) {
                            let conn = try server.client()
                            var headers = ["Authorization": "Bearer \(token)"]
                            if !body.isEmpty { headers["Content-Type"] = type }
                            let r = try conn.request(method, concrete, headers: headers, body: body.isEmpty ? nil : body)
                            requests += 1
                            XCTAssertLessThan(r.status, 500, "\(method) \(concrete) [\(type)] → \(r.status) \(r.text)")
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(requests, 100)
        XCTAssertEqual(try c.request("GET", "/healthz").status, 200, "still serving")
        XCTAssertFalse(server.log.contains(" error request_id="), "no handler failed: \(server.log.split(separator: "\n").filter { $0.contains(" error request_id=") }.prefix(3))")
    }
}

/// SPEC's length limits count Unicode code points (as the original's Python did), never grapheme clusters:
/// one "character" with unbounded combining marks must not slip past a limit.
final class CodePointLimitTests: XCTestCase {
    func testLimitsCountCodePoints() throws {
        let server = try TestServer()
        let ada = try server.makeUser("ada@example.com")
        let c = try server.client()
        let path = "/accounts/v1/\(ada.token)/"
        func patch(_ name: String) throws -> RawResponse {
            try c.json("PATCH", path, ["first_name": name], token: ada.access)
        }
        let zalgo = "a" + String(repeating: "\u{0301}", count: 300_000)   // one grapheme, 300 001 code points
        let r = try patch(zalgo)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.messages("first_name"), ["Ensure this field has no more than 50 characters."])
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"   // one grapheme, 7 code points
        XCTAssertEqual(try patch(String(repeating: family, count: 7)).status, 200, "49 code points fit in 50")
        XCTAssertEqual(try patch(String(repeating: family, count: 8)).status, 400, "56 code points do not")
        let clef = "\u{1D11E}"   // astral: 4 UTF-8 bytes, 2 UTF-16 units, 1 code point
        XCTAssertEqual(try patch(String(repeating: clef, count: 50)).status, 200)
        XCTAssertEqual(try patch(String(repeating: clef, count: 51)).status, 400)
        let me = try c.json("GET", "/accounts/v1/me/", token: ada.access)
        XCTAssertEqual(me.object["first_name"] as? String, String(repeating: clef, count: 50))
        // A field without a limit of its own is still capped.
        let long = try c.json("POST", "/accounts/v1/login/", ["email": ada.email, "password": String(repeating: "p", count: 5000)])
        XCTAssertEqual(long.status, 400)
        XCTAssertEqual(long.messages("password"), ["Ensure this field has no more than 4096 characters."])
    }
}
