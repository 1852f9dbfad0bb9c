import Jobs
import Mail

/// Sent mail stays in the outbox for a week (the administration panel shows it), then goes: the table never
/// grows without bound.
enum MailRetention {
    static let keepMicros: Int64 = 7 * 86_400 * 1_000_000

    static func register(_ scheduler: Scheduler, services: Services, interval: Double) {
        scheduler.every(interval, name: "prune-sent-mail") {
            let cutoff = Clock.nowMicros() - keepMicros
            let n = try await services.store.write { try Outbox.deleteSent($0, before: cutoff) }
            return "\(n) deleted"
        }
    }
}
