import Platform
import FoundationEssentials
import HTTP
import JSON
import Security
import Dispatch

/// Bearer-token authentication and token issuance (SPEC sections 1 and 2).
struct Authentication: Sendable {
    let jwt: JWTSigner
    let users: UserDirectory
    let revoked: RevokedTokens
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
        guard let (claims, entry) = try verify(token, type: "access") else { throw APIError.tokenNotValid }
        return entry.caller(token: claims)
    }

    /// A token's claims and its user, nil unless the signature, type and expiry hold, the user is active, the
    /// token's generation is the user's current one and it was not revoked (SPEC section 2).
    func verify(_ token: String, type: String) throws -> (JWTClaims, DirectoryEntry)? {
        guard let claims = try? jwt.verify(token, expectedType: type, now: Clock.nowSeconds()),
              let entry = try users.user(token: claims.subject), entry.record.isActive,
              claims.generation == entry.record.tokenGeneration, !revoked.contains(claims.id) else { return nil }
        return (claims, entry)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, single spaces), nil for anything else.
    static func bearerToken(_ header: String) -> String? {
        let u = header.utf8
        guard u.count > 7, u.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let rest = Substring(u.dropFirst(7))
        guard !rest.isEmpty, !rest.utf8.contains(UInt8(ascii: " ")) else { return nil }
        return String(rest)
    }

    func accessToken(for user: UserRecord, now: Int64 = Clock.nowSeconds()) -> String {
        token("access", user, lifetime: Int64(configuration.accessTokenMinutes * 60), now: now)
    }

    func refreshToken(for user: UserRecord, now: Int64 = Clock.nowSeconds()) -> String {
        token("refresh", user, lifetime: Int64(configuration.refreshTokenDays * 86400), now: now)
    }

    /// `{"refresh": …, "access": …}`: what login and a password change answer.
    func tokenPair(for user: UserRecord) -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("refresh"); w.string(refreshToken(for: user))
        w.key("access"); w.string(accessToken(for: user))
        w.endObject()
        return Response.json(200, w.bytes)
    }

    private func token(_ type: String, _ user: UserRecord, lifetime: Int64, now: Int64) -> String {
        jwt.sign(JWTClaims(tokenType: type, subject: user.token, id: SecureRandom.uuidV4().replacing("-", with: ""),
                           issuedAt: now, expiresAt: now + max(1, lifetime), generation: user.tokenGeneration))
    }
}

/// Password hashing runs off the event loops (at 600 000 iterations one hash takes a few hundred ms), and in a
/// bounded amount: beyond `maxPending` hashes waiting or running, a request is refused with 503 and
/// `Retry-After` instead of queueing unbounded CPU work (a login flood from many addresses).
enum PasswordWork {
    private static let queue = DispatchQueue(label: "tsuna.passwords", attributes: .concurrent)
    private static let pending = Locked(0)
    /// Enough to keep every core busy with a short queue behind it.
    static let maxPending = max(4, 4 * ProcessInfo.processInfo.activeProcessorCount)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(APIError) -> T {
        let admitted = pending.withLock { count -> Bool in
            guard count < maxPending else { return false }
            count += 1
            return true
        }
        guard admitted else { throw .busy }
        return await withCheckedContinuation { continuation in
            queue.async {
                let result = work()
                pending.withLock { $0 -= 1 }
                continuation.resume(returning: result)
            }
        }
    }
}
