import XCTest
import Foundation
import TestSupport
import Store

/// SPEC section 2 over a real socket against the real binary.
final class AccountsTests: XCTestCase {
    static let env = ["TSUNA_THROTTLE_AUTH": "off"]

    func register(_ c: RawClient, _ fields: [String: Any], token: String? = nil) throws -> RawResponse {
        try c.json("POST", "/accounts/v1/register/", fields, token: token)
    }

    func testRegisterVerifyLoginAndProfile() throws {
        let server = try TestServer(environment: Self.env)
        let c = try server.client()
        let r = try register(c, ["email": "Ada@Example.com", "password": "analytical-engine", "first_name": "Ada",
                                 "last_name": "Lovelace", "token": "ignored", "is_admin": true])
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(Set(r.object.keys), ["email", "first_name", "last_name", "bio", "picture", "token"])
        XCTAssertEqual(r.object["bio"] as? String, "Hey there, i am using tsuna streaming.")
        XCTAssertTrue(r.object["picture"] is NSNull)
        let token = try XCTUnwrap(r.object["token"] as? String)
        XCTAssertNotEqual(token, "ignored")

        // Inactive: cannot log in yet.
        let early = try c.json("POST", "/accounts/v1/login/", ["email": "ada@example.com", "password": "analytical-engine"])
        XCTAssertEqual(early.status, 401)
        XCTAssertEqual(early.object["detail"] as? String, "No active account found with the given credentials")
        XCTAssertEqual(early.header("WWW-Authenticate"), "Bearer realm=\"api\"")

        let mail = try XCTUnwrap(server.waitForMails(1).first)
        XCTAssertEqual(mail.subject, "Verify Your Account on Tsuna Streaming")
        XCTAssertTrue(mail.to.contains("Ada@Example.com"))
        let link = try XCTUnwrap(mail.link)
        XCTAssertTrue(link.hasSuffix("/\(token)/"), link)
        let path = try XCTUnwrap(URL(string: link)?.path)
        let v = try c.request("GET", path + "/")
        XCTAssertEqual(v.status, 200)
        XCTAssertEqual(v.object["detail"] as? String, "Account verified")
        let again = try c.request("GET", path + "/")
        XCTAssertEqual(again.status, 400)
        XCTAssertEqual(again.object["detail"] as? String, "User is already active.")

        let login = try c.json("POST", "/accounts/v1/login/", ["email": "ADA@example.com", "password": "analytical-engine"])
        XCTAssertEqual(login.status, 200, login.text)
        let access = try XCTUnwrap(login.object["access"] as? String)
        XCTAssertNotNil(login.object["refresh"] as? String)

        let me = try c.json("GET", "/accounts/v1/me/", token: access)
        XCTAssertEqual(me.status, 200)
        XCTAssertEqual(me.object["email"] as? String, "Ada@Example.com")
        XCTAssertEqual(me.object["token"] as? String, token)
        XCTAssertTrue(me.object["active_subscription"] is NSNull)
        XCTAssertNil(me.object["password"])
        let same = try c.json("GET", "/accounts/v1/\(token)/", token: access)
        XCTAssertEqual(same.text, me.text)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/\(token)", token: access).text, me.text, "no trailing slash is the same")
    }

    func testRegisterValidation() throws {
        let server = try TestServer(environment: Self.env)
        let c = try server.client()
        let empty = try register(c, [:])
        XCTAssertEqual(empty.status, 400)
        for field in ["email", "password", "first_name"] {
            XCTAssertEqual(empty.object[field] as? [String], ["This field is required."], field)
        }
        let bad = try register(c, ["email": "not-an-email", "password": "12345678", "first_name": "",
                                   "last_name": String(repeating: "x", count: 51), "bio": String(repeating: "b", count: 251)])
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.object["email"] as? [String], ["Enter a valid email address."])
        XCTAssertEqual(bad.object["password"] as? [String], ["This password is entirely numeric."])
        XCTAssertEqual(bad.object["first_name"] as? [String], ["This field may not be blank."])
        XCTAssertEqual(bad.object["last_name"] as? [String], ["Ensure this field has no more than 50 characters."])
        XCTAssertEqual(bad.object["bio"] as? [String], ["Ensure this field has no more than 250 characters."])
        let long = try register(c, ["email": String(repeating: "a", count: 196) + "@x.io", "password": "short", "first_name": "A"])
        XCTAssertEqual(long.object["email"] as? [String], ["Ensure this field has no more than 200 characters."])
        XCTAssertEqual(long.object["password"] as? [String], ["This password is too short. It must contain at least 8 characters."])

        XCTAssertEqual(try register(c, ["email": "dup@example.com", "password": "password-1", "first_name": "D"]).status, 201)
        let deactive = try register(c, ["email": "DUP@example.com", "password": "password-1", "first_name": "D"])
        XCTAssertEqual(deactive.object["email"] as? [String], ["A deactive account with email `DUP@example.com` already exists."])
        let user = try server.makeUser("active@example.com")
        let active = try register(c, ["email": "Active@Example.com", "password": "password-1", "first_name": "D"])
        XCTAssertEqual(active.object["email"] as? [String], ["An active account with email `Active@Example.com` already exists."])

        // Anonymous only: a valid token → 403, a bad one → 401.
        let authed = try register(c, ["email": "x@example.com", "password": "password-1", "first_name": "X"], token: user.access)
        XCTAssertEqual(authed.status, 403)
        XCTAssertEqual(authed.object["detail"] as? String, "Authenticated users are not allowed to access this view")
        let junk = try register(c, ["email": "x@example.com", "password": "password-1", "first_name": "X"], token: "junk")
        XCTAssertEqual(junk.status, 401)
        XCTAssertEqual(junk.object["code"] as? String, "token_not_valid")
        XCTAssertEqual(junk.object["detail"] as? String, "Given token not valid for any token type")
        XCTAssertEqual(junk.header("WWW-Authenticate"), "Bearer realm=\"api\"")
    }

    func testMalformedBodies() throws {
        let server = try TestServer(environment: Self.env)
        let c = try server.client()
        let broken = try c.request("POST", "/accounts/v1/login/", headers: ["Content-Type": "application/json"],
                                   body: Array(#"{"email": "#.utf8))
        XCTAssertEqual(broken.status, 400)
        XCTAssertTrue((broken.object["detail"] as? String ?? "").hasPrefix("JSON parse error - "), broken.text)
        let xml = try c.request("POST", "/accounts/v1/login/", headers: ["Content-Type": "application/xml"], body: Array("<a/>".utf8))
        XCTAssertEqual(xml.status, 415)
        let list = try c.request("POST", "/accounts/v1/login/", headers: ["Content-Type": "application/json"], body: Array("[1]".utf8))
        XCTAssertEqual(list.status, 400)
        let huge = try c.request("POST", "/accounts/v1/login/", headers: ["Content-Type": "application/json"],
                                 body: [UInt8](repeating: 32, count: 1_048_577))
        XCTAssertEqual(huge.status, 413)
        XCTAssertEqual(huge.header("Connection"), "close")
        let form = try server.client().request("POST", "/accounts/v1/register/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                 body: Array("email=form%40example.com&password=password-1&first_name=F+orm".utf8))
        XCTAssertEqual(form.status, 201, form.text)
        XCTAssertEqual(form.object["first_name"] as? String, "F orm")
    }

    func testVerifyErrors() throws {
        let server = try TestServer(environment: Self.env.merging(["TSUNA_VERIFICATION_TTL_MINUTES": "0"]) { $1 })
        let c = try server.client()
        XCTAssertEqual(try c.request("GET", "/accounts/v1/verify/not-a-uuid/also-not/").status, 404)
        XCTAssertEqual(try c.request("GET", "/accounts/v1/verify/\(UUID().uuidString)/\(UUID().uuidString)/").object["detail"] as? String, "Not found.")
        let a = try register(c, ["email": "a@example.com", "password": "password-1", "first_name": "A"])
        let b = try register(c, ["email": "b@example.com", "password": "password-1", "first_name": "B"])
        let mails = server.waitForMails(2)
        let linkA = try XCTUnwrap(mails.first { $0.to.contains("a@example.com") }?.link)
        let vtA = URL(string: linkA)!.pathComponents[4]
        let mismatch = try c.request("GET", "/accounts/v1/verify/\(vtA)/\(b.object["token"]!)/")
        XCTAssertEqual(mismatch.status, 400)
        XCTAssertEqual(mismatch.object["detail"] as? String, "Token and user mismatch.")
        let expired = try c.request("GET", "/accounts/v1/verify/\(vtA)/\(a.object["token"]!)/")
        XCTAssertEqual(expired.status, 400)
        XCTAssertEqual(expired.object["detail"] as? String, "Token is expired.")

        // Resend: a new token (the old one expired at once with TTL 0) and a new mail.
        let resent = try c.json("POST", "/accounts/v1/resend/", ["user": a.object["token"]!])
        XCTAssertEqual(resent.status, 201, resent.text)
        XCTAssertEqual(resent.object["user"] as? String, a.object["token"] as? String)
        XCTAssertEqual(server.waitForMails(3).count, 3)
        let unknown = try c.json("POST", "/accounts/v1/resend/", ["user": "nope"])
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.object["user"] as? [String], ["Object with token=nope does not exist."])
        XCTAssertEqual(try c.json("POST", "/accounts/v1/resend/", [:]).object["user"] as? [String], ["This field is required."])
    }

    func testResendRefusesWhileATokenIsValidAndForActiveUsers() throws {
        let server = try TestServer(environment: Self.env)
        let c = try server.client()
        let a = try register(c, ["email": "a@example.com", "password": "password-1", "first_name": "A"])
        let r = try c.json("POST", "/accounts/v1/resend/", ["user": a.object["token"]!])
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.object["non_field_errors"] as? [String], ["An active token already exists."])
        let user = try server.makeUser()
        let active = try c.json("POST", "/accounts/v1/resend/", ["user": user.token])
        XCTAssertEqual(active.status, 400)
        XCTAssertNotNil(active.object["user"] as? [String])
    }

    func testLoginRefreshAndTokenChecks() throws {
        let server = try TestServer(environment: Self.env)
        let user = try server.makeUser("t@example.com", password: "password-123")
        let c = try server.client()
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "t@example.com"]).object["password"] as? [String], ["This field is required."])
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "t@example.com", "password": "wrong-one"]).status, 401)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "nobody@example.com", "password": "wrong-one"]).status, 401)

        let refreshed = try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": user.refresh])
        XCTAssertEqual(refreshed.status, 200)
        let access = try XCTUnwrap(refreshed.object["access"] as? String)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: access).status, 200)
        let wrongType = try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": user.access])
        XCTAssertEqual(wrongType.status, 401)
        XCTAssertEqual(wrongType.object["detail"] as? String, "Token is invalid or expired")
        XCTAssertEqual(wrongType.object["code"] as? String, "token_not_valid")

        // Refresh presented as access, tampered payload, alg none, no credentials.
        let asAccess = try c.json("GET", "/accounts/v1/me/", token: user.refresh)
        XCTAssertEqual(asAccess.status, 401)
        XCTAssertEqual(asAccess.object["code"] as? String, "token_not_valid")
        var parts = user.access.split(separator: ".").map(String.init)
        parts[1] = Data(#"{"token_type":"access","exp":9999999999,"iat":1,"jti":"x","sub":"someone"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: parts.joined(separator: ".")).status, 401)
        let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: "\(none).\(parts[1]).").status, 401)
        let anonymous = try c.json("GET", "/accounts/v1/me/")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.object["detail"] as? String, "Authentication credentials were not provided.")
        XCTAssertEqual(anonymous.header("WWW-Authenticate"), "Bearer realm=\"api\"")
    }

    func testProfilesOfOthersAndUpdates() throws {
        let server = try TestServer(environment: Self.env)
        let ada = try server.makeUser("ada@example.com", firstName: "Ada", lastName: "Lovelace")
        let bob = try server.makeUser("bob@example.com", firstName: "Bob", lastName: "")
        let c = try server.client()
        let seen = try c.json("GET", "/accounts/v1/\(ada.token)/", token: bob.access)
        XCTAssertEqual(seen.status, 200)
        XCTAssertNil(seen.object["email"], "only the owner and admins see the email")
        XCTAssertEqual(seen.object["first_name"] as? String, "Ada")
        let admin = try server.makeAdmin()
        XCTAssertEqual(try c.json("GET", "/accounts/v1/\(ada.token)/", token: admin.access).object["email"] as? String, "ada@example.com")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/\(UUID().uuidString.lowercased())/", token: bob.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/not-a-token/", token: bob.access).status, 404)

        let forbidden = try c.json("PATCH", "/accounts/v1/\(ada.token)/", ["bio": "hacked"], token: bob.access)
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(forbidden.object["detail"] as? String, "Only profile owner can update this profile.")
        let putMissing = try c.json("PUT", "/accounts/v1/\(ada.token)/", ["bio": "x"], token: ada.access)
        XCTAssertEqual(putMissing.status, 400)
        XCTAssertEqual(putMissing.object["first_name"] as? [String], ["This field is required."])
        let patched = try c.json("PATCH", "/accounts/v1/\(ada.token)/", ["bio": "Poet of science", "email": "evil@example.com",
                                                                         "token": "x"], token: ada.access)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.object["bio"] as? String, "Poet of science")
        XCTAssertEqual(patched.object["email"] as? String, "ada@example.com", "email is read-only")
        XCTAssertEqual(patched.object["token"] as? String, ada.token)
        let put = try c.json("PUT", "/accounts/v1/\(ada.token)/", ["first_name": "Augusta", "last_name": ""], token: ada.access)
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.object["first_name"] as? String, "Augusta")
        XCTAssertEqual(put.object["bio"] as? String, "Poet of science")
    }

    func testPictureUploadIsStoredServedAndValidated() throws {
        let server = try TestServer(environment: Self.env.merging(["TSUNA_IMAGE_LIMIT_MB": "1"]) { $1 })
        let ada = try server.makeUser()
        let c = try server.client()
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 100)
        func upload(_ bytes: [UInt8], name: String = "../../evil.png") throws -> RawResponse {
            let boundary = "XyZ\(UUID().uuidString.prefix(6))"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\nwith picture\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"picture\"; filename=\"\(name)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
            return try c.request("PATCH", "/accounts/v1/\(ada.token)/", headers: [
                "Authorization": "Bearer \(ada.access)", "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
        }
        let r = try upload(png)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.object["bio"] as? String, "with picture")
        let url = try XCTUnwrap(r.object["picture"] as? String)
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:\(server.port)/media/pictures/") && url.hasSuffix(".png"), url)
        let media = try c.request("GET", URL(string: url)!.path)
        XCTAssertEqual(media.status, 200)
        XCTAssertEqual(media.body, png)
        XCTAssertEqual(media.header("Content-Type"), "image/png")

        let notImage = try upload(Array("just text, not an image".utf8))
        XCTAssertEqual(notImage.status, 400)
        XCTAssertNotNil(notImage.object["picture"] as? [String])
        let tooBig = try upload(png + [UInt8](repeating: 0, count: 1_048_576))
        XCTAssertEqual(tooBig.status, 400)
        XCTAssertEqual(tooBig.object["picture"] as? [String], ["Images can be up to 1MB."])
        let files = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/media/pictures")
        XCTAssertEqual(files.count, 1, "rejected uploads leave no file: \(files)")
        let tmp = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/tmp")
        XCTAssertEqual(tmp, [])
    }

    func testThrottlingOfAnonymousAccountEndpoints() throws {
        let server = try TestServer(environment: ["TSUNA_THROTTLE_AUTH": "2/minute"])
        let c = try server.client()
        for _ in 0..<2 {
            XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "a@example.com", "password": "password-1"]).status, 401)
        }
        let third = try c.json("POST", "/accounts/v1/login/", ["email": "a@example.com", "password": "password-1"])
        XCTAssertEqual(third.status, 429)
        let wait = try XCTUnwrap(Int(third.header("Retry-After") ?? ""))
        XCTAssertTrue((1...60).contains(wait))
        XCTAssertEqual(third.object["detail"] as? String, "Request was throttled. Expected available in \(wait) seconds.")
        XCTAssertEqual(try c.request("GET", "/healthz").status, 200, "other routes are not throttled")
    }

    func testCreateAdminWhileServing() throws {
        let server = try TestServer(environment: Self.env)
        let admin = try server.makeAdmin("root@example.com", password: "root-password")
        let c = try server.client()
        let me = try c.json("GET", "/accounts/v1/me/", token: admin.access)
        XCTAssertEqual(me.status, 200)
        XCTAssertEqual(me.object["email"] as? String, "root@example.com")
        let dup = try server.runCommand(["create-admin", "--email", "ROOT@example.com"], stdin: "another-password\n")
        XCTAssertEqual(dup.status, 1)
        XCTAssertTrue(dup.err.contains("already exists"), dup.err)
        XCTAssertEqual(try server.runCommand(["create-admin"], stdin: "x\n").status, 2)
    }

    func testCleanupJobsDeleteExpiredTokensAndStaleUnverifiedAccounts() throws {
        let server = try TestServer(environment: Self.env.merging(["TSUNA_CLEANUP_INTERVAL_SECONDS": "0.2",
                                                                    "TSUNA_VERIFICATION_TTL_MINUTES": "0"]) { $1 })
        let c = try server.client()
        XCTAssertEqual(try register(c, ["email": "old@example.com", "password": "password-1", "first_name": "O"]).status, 201)
        XCTAssertEqual(try register(c, ["email": "new@example.com", "password": "password-1", "first_name": "N"]).status, 201)
        // Age one registration past 24 hours, from another process, as an operator could.
        let db = try Connection(path: server.dataDirectory + "/tsuna.sqlite")
        defer { db.close() }
        try db.run("UPDATE users SET date_joined = date_joined - 25 * 3600 * 1000000 WHERE email = 'old@example.com'")
        let deadline = Date().addingTimeInterval(20)
        var users = 2, tokens = 2
        while Date() < deadline && (users != 1 || tokens != 0) {
            usleep(100_000)
            users = try db.queryOne("SELECT count(*) FROM users") { $0.int(0) } ?? -1
            tokens = try db.queryOne("SELECT count(*) FROM verification_tokens") { $0.int(0) } ?? -1
        }
        XCTAssertEqual(users, 1)
        XCTAssertEqual(tokens, 0)
        XCTAssertEqual(try db.queryOne("SELECT email FROM users") { $0.string(0) }, "new@example.com")
        XCTAssertTrue(server.log.contains("job delete-unverified-accounts ok"))
    }

    func testTheSMTPPathEndToEnd() throws {
        let smtp = try SMTPServer()
        let server = try TestServer(environment: Self.env.merging(["TSUNA_SMTP_URL": "smtp://127.0.0.1:\(smtp.port)",
                                                                    "TSUNA_MAIL_FROM": "tsuna@example.com"]) { $1 })
        let c = try server.client()
        let r = try register(c, ["email": "smtp@example.com", "password": "password-1", "first_name": "Sam"])
        XCTAssertEqual(r.status, 201)
        let mail = try XCTUnwrap(smtp.waitForMessages(1).first)
        XCTAssertEqual(mail.subject, "Verify Your Account on Tsuna Streaming")
        XCTAssertTrue(mail.to.contains("smtp@example.com"))
        XCTAssertTrue(mail.headers["from"]?.contains("tsuna@example.com") ?? false)
        let path = try XCTUnwrap(URL(string: try XCTUnwrap(mail.link))?.path)
        XCTAssertEqual(try c.request("GET", path + "/").status, 200)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": "smtp@example.com", "password": "password-1"]).status, 200)
        XCTAssertTrue(server.mails().isEmpty, "with SMTP configured nothing is written to files")
    }
}
