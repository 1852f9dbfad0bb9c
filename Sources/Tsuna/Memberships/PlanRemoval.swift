import Store

/// Deleting a membership plan, the same from the API and the administration panel: a plan any subscription
/// references (ended or not) stays, with SPEC's 400 "Plan is in use".
enum PlanRemoval {
    static func delete(_ plan: Plan, _ services: Services) async throws {
        let inUse: Bool
        do {
            inUse = try await services.store.write { c -> Bool in
                if try MembershipsStore.isInUse(planId: plan.id, c) { return true }
                try MembershipsStore.deletePlan(id: plan.id, c)
                return false
            }
        } catch let e as StoreError where e.isConstraintViolation {
            inUse = true   // the foreign key refused: a subscription references the plan
        }
        if inUse { throw APIError.badRequest(MembershipsRules.inUse) }
    }
}

/// What the administration panel reads of memberships (SPEC section 13).
extension MembershipsStore {
    /// Users whose subscription has not ended (the premium role follows `end_date` at once).
    static func premiumCount(now: Int64, _ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM subscriptions WHERE end_date > ?", [now]) { $0.int("n") } ?? 0
    }

    /// Subscriptions referencing the plan, ended or not.
    static func subscriptionCount(planId: Int64, _ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM subscriptions WHERE membership_id = ?", [planId]) { $0.int("n") } ?? 0
    }
}
