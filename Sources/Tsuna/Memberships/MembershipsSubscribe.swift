import HTTP
import JSON
import Security
import Store

extension MembershipsRoutes {
    /// What the subscribe transaction decided.
    private enum SubscribeOutcome: Sendable {
        case created(title: String, start: Int64, end: Int64)
        case planGone
        case notAvailable
        case notNormal
    }

    /// POST `<token>/subscribe/`: checks in SPEC's order (plan exists → role, by the route → availability), then, in one
    /// transaction, re-checks them against the committed state (a concurrent subscribe, plan edit or delete),
    /// replaces an ended-but-not-yet-cleaned row, inserts the subscription and queues the mail.
    func subscribe(_ ctx: Context<PlanScope>) async throws -> Response {
        let plan = ctx.scope.plan
        let caller = ctx.caller
        guard plan.isAvailable else { throw APIError.forbidden(MembershipsRules.notAvailable) }

        let token = SecureRandom.uuidV4()
        let monthDays = services.configuration.membershipMonthDays
        let mailer = services.mailer
        let outcome = try await services.store.write { c -> SubscribeOutcome in
            guard let current = try MembershipsStore.plan(token: plan.token, c) else { return .planGone }
            guard current.isAvailable else { return .notAvailable }
            let start = Clock.nowMicros()
            if let end = try MembershipsStore.subscriptionEnd(userId: caller.id, c) {
                if end > start { return .notNormal }
                try MembershipsStore.deleteSubscription(userId: caller.id, c)
            }
            let end = MembershipsRules.end(start: start, activeMonths: current.activeMonths, monthDays: monthDays)
            try MembershipsStore.insertSubscription(token: token, userId: caller.id, planId: current.id,
                                                    start: start, end: end, c)
            try MembershipsMail.queueStarted(c, mailer: mailer, email: caller.email, firstName: caller.firstName,
                                             plan: current.title, start: start, end: end)
            return .created(title: current.title, start: start, end: end)
        }
        switch outcome {
        case .planGone:
            throw APIError.notFound
        case .notAvailable:
            throw APIError.forbidden(MembershipsRules.notAvailable)
        case .notNormal:
            services.users.invalidate(token: caller.token, id: caller.id)   // the cached entry missed a subscription made elsewhere
            throw APIError.forbidden(MembershipsRules.normalOnly)
        case let .created(title, start, end):
            services.users.invalidate(token: caller.token, id: caller.id)
            mailer.wake()
            var w = JSONWriter(capacity: 192)
            w.beginObject()
            w.key("membership"); w.string(title)
            w.key("start_date"); w.date(start)
            w.key("end_date"); w.date(end)
            w.key("token"); w.string(token)
            w.endObject()
            return Response.json(201, w.bytes)
        }
    }
}
