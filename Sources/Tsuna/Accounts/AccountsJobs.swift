import Jobs
import Store

/// Background cleanup of the accounts feature (SPEC section 2).
enum AccountsJobs {
    static let unverifiedLifetimeMicros: Int64 = 24 * 3600 * 1_000_000

    static func register(_ scheduler: Scheduler, services: Services, interval: Double) {
        scheduler.every(interval, name: "delete-expired-verification-tokens") {
            let now = Clock.nowMicros()
            let n = try await services.store.write { try AccountsStore.deleteExpiredVerificationTokens(now: now, $0) }
            return "\(n) deleted"
        }
        scheduler.every(interval, name: "delete-expired-reset-and-revoked-tokens") {
            let now = Clock.nowMicros(), seconds = Clock.nowSeconds()
            let (resets, revoked) = try await services.store.write { c in
                (try AccountsStore.deleteExpiredResetTokens(now: now, c),
                 try AccountsStore.deleteExpiredRevokedTokens(now: seconds, c))
            }
            services.authentication.revoked.prune(now: seconds)
            return "\(resets) reset tokens, \(revoked) revoked token ids deleted"
        }
        scheduler.every(interval, name: "delete-unverified-accounts") {
            let cutoff = Clock.nowMicros() - unverifiedLifetimeMicros
            let pictures = try await services.store.write { try AccountsStore.deleteUnverified(registeredBefore: cutoff, $0) }
            for p in pictures { services.media.remove(p) }
            return "\(pictures.count) deleted"
        }
    }
}
