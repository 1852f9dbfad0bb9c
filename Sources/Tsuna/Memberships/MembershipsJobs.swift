import Jobs
import Store

/// Background expiry of subscriptions (SPEC section 3): the role already follows `end_date`; this job removes
/// ended rows, mails their users and drops their cached entries.
enum MembershipsJobs {
    /// Rows handled per transaction, so a large backlog never holds the writer for long.
    static let batchSize = 500

    static func register(_ scheduler: Scheduler, services: Services, interval: Double) {
        scheduler.every(interval, name: "expire-subscriptions") {
            var total = 0
            while true {
                let n = try await expireBatch(services)
                total += n
                if n < batchSize { break }
            }
            return "\(total) expired"
        }
    }

    /// Deletes up to `batchSize` ended subscriptions and queues their mails in one transaction; returns how many.
    static func expireBatch(_ services: Services) async throws -> Int {
        let mailer = services.mailer
        let now = Clock.nowMicros()
        let ended = try await services.store.write { c -> [(id: Int64, token: String)] in
            let rows = try MembershipsStore.endedSubscriptions(now: now, limit: batchSize, c)
            var tokens: [(id: Int64, token: String)] = []
            for r in rows {
                try MembershipsStore.deleteSubscription(id: r.id, c)
                guard let user = try AccountsStore.contact(userId: r.userId, c) else { continue }
                try MembershipsMail.queueExpired(c, mailer: mailer, email: user.email, firstName: user.firstName,
                                                 plan: r.plan, end: r.end)
                tokens.append((r.userId, user.token))
            }
            return tokens
        }
        for user in ended { services.users.invalidate(token: user.token, id: user.id) }
        if !ended.isEmpty { mailer.wake() }
        return ended.count
    }
}
