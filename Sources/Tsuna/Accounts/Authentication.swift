import Foundation
import HTTP
import Security

/// Bearer-token authentication and token issuance (SPEC sections 1 and 2).
struct Authentication: Sendable {
    let jwt: JWTSigner
    let users: UserDirectory
    let configuration: Configuration

    /// The caller, nil when the request carries no bearer credentials; a bad token is SPEC's 401.
    func caller(of request: Request) throws -> Caller? {
        guard let header = request.headers["Authorization"] else { return nil }
        guard let token = Authentication.bearerToken(header) else {
            // Another scheme is not ours to judge (anonymous); "Bearer" with a malformed value is a bad token.
            if header.utf8.count >= 6, header.utf8.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) {
                throw APIError.tokenNotValid
            }
            return nil
        }
        guard let claims = try? jwt.verify(token, expectedType: "access", now: Clock.nowSeconds()) else {
            throw APIError.tokenNotValid
        }
        guard let entry = try users.user(token: claims.subject), entry.record.isActive else { throw APIError.tokenNotValid }
        return entry.caller
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, single spaces), nil for anything else.
    static func bearerToken(_ header: String) -> String? {
        let u = header.utf8
        guard u.count > 7, u.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let rest = Substring(u.dropFirst(7))
        guard !rest.isEmpty, !rest.utf8.contains(UInt8(ascii: " ")) else { return nil }
        return String(rest)
    }

    func accessToken(for userToken: String, now: Int64 = Clock.nowSeconds()) -> String {
        token("access", userToken, lifetime: Int64(configuration.accessTokenMinutes * 60), now: now)
    }

    func refreshToken(for userToken: String, now: Int64 = Clock.nowSeconds()) -> String {
        token("refresh", userToken, lifetime: Int64(configuration.refreshTokenDays * 86400), now: now)
    }

    private func token(_ type: String, _ userToken: String, lifetime: Int64, now: Int64) -> String {
        jwt.sign(JWTClaims(tokenType: type, subject: userToken, id: SecureRandom.uuidV4().replacingOccurrences(of: "-", with: ""),
                           issuedAt: now, expiresAt: now + max(1, lifetime)))
    }
}

/// Password hashing runs off the event loops: at 600 000 iterations one hash takes a few hundred ms.
enum PasswordWork {
    private static let queue = DispatchQueue(label: "tsuna.passwords", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
