import Foundation
import HTTP
import Security
import Store

/// Bearer-token authentication and token issuance (SPEC sections 1 and 2).
struct Authentication {
    let services: Services

    /// nil when the request carries no bearer credentials; throws the 401 of SPEC for a bad token.
    func authenticate(_ request: Request) throws -> Caller? {
        guard let header = request.headers["Authorization"] else { return nil }
        guard let token = Authentication.bearerToken(header) else {
            // Another scheme is not ours to judge (anonymous); "Bearer" with a malformed value is a bad token.
            if header.utf8.count >= 6, header.utf8.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) {
                throw APIError.tokenNotValid
            }
            return nil
        }
        let claims: JWTClaims
        do {
            claims = try services.jwt.verify(token, expectedType: "access", now: Clock.nowSeconds())
        } catch {
            throw APIError.tokenNotValid
        }
        guard let user = try services.users.user(token: claims.subject), user.record.isActive else {
            throw APIError.tokenNotValid
        }
        return user.caller
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
        let lifetime = Int64(services.configuration.accessTokenMinutes * 60)
        return services.jwt.sign(JWTClaims(tokenType: "access", subject: userToken, id: SecureRandom.uuidV4().replacingOccurrences(of: "-", with: ""),
                                           issuedAt: now, expiresAt: now + max(1, lifetime)))
    }

    func refreshToken(for userToken: String, now: Int64 = Clock.nowSeconds()) -> String {
        let lifetime = Int64(services.configuration.refreshTokenDays * 86400)
        return services.jwt.sign(JWTClaims(tokenType: "refresh", subject: userToken, id: SecureRandom.uuidV4().replacingOccurrences(of: "-", with: ""),
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
