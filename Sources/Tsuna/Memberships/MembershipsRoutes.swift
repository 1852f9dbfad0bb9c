import HTTP
import JSON
import Security
import Store

/// The plan a route's path names (404 for an unknown or non-UUID token).
struct PlanScope: Sendable {
    let plan: Plan
}

extension Loader where Scope == PlanScope {
    static var plan: Loader {
        Loader { r in
            guard let token = TokenFormat.normalized(r.parameter("token")),
                  let plan = try r.services.store.read({ try MembershipsStore.plan(token: token, $0) }) else {
                throw APIError.notFound
            }
            return PlanScope(plan: plan)
        }
    }
}

/// `/memberships/v1/`: membership plans and subscribing to them (SPEC section 3).
struct MembershipsRoutes: Sendable {
    let services: Services

    func register(on api: API) {
        let tags = ["memberships"]
        let admins = Rule<PlanScope>.siteAdmin(MembershipsRules.adminOnly)
        api.route("GET", "/memberships/v1/", answers: [.page(.plan, "A page of plans.")],
                  summary: "All membership plans, oldest first", tags: tags, list)
        api.route("POST", "/memberships/v1/", .siteAdmin(MembershipsRules.adminOnly), body: MembershipsRules.body,
                  answers: [.created(.plan, "The new plan.")], summary: "Create a membership plan (admins)", tags: tags,
                  create)
        api.route("GET", "/memberships/v1/:token/", .plan, answers: [.ok(.plan, "The plan.")],
                  summary: "A membership plan", tags: tags) { ctx in
            MembershipsRoutes.response(200, ctx.scope.plan)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/memberships/v1/:token/", .plan, admins, body: MembershipsRules.body,
                      answers: [.ok(.plan, "The updated plan.")],
                      summary: method == "PUT" ? "Replace a membership plan (admins)" : "Update part of a membership plan (admins)",
                      tags: tags) { try await update($0, partial: method == "PATCH") }
        }
        api.route("DELETE", "/memberships/v1/:token/", .plan, admins,
                  answers: [.deleted(), .refused(400, MembershipsRules.inUse)],
                  summary: "Delete a plan no subscription references (admins)", tags: tags, delete)
        api.route("POST", "/memberships/v1/:token/subscribe/", .plan, .normalUser,
                  answers: [.created(.subscription, "The subscription; the caller is premium from now on."),
                            .refused(403, MembershipsRules.notAvailable)],
                  summary: "Subscribe to a plan (normal users)", tags: tags, subscribe)
    }

    // MARK: plans

    private func list(_ ctx: Context<NoScope>) throws -> Response {
        let page = ctx.page
        let (count, plans) = try services.store.read { c in
            (try MembershipsStore.planCount(c), try MembershipsStore.plans(limit: page.limit, offset: page.offset, c))
        }
        return page.response(count: count, request: ctx.request, domain: services.domain) { w in
            for p in plans { MembershipsRoutes.write(p, to: &w) }
        }
    }

    private func create(_ ctx: Context<NoScope>) async throws -> Response {
        let fields = try MembershipsRules.fields(ctx.input, partial: false, existing: nil)
        let token = SecureRandom.uuidV4()
        let now = Clock.nowMicros()
        let id = try await services.store.write { try MembershipsStore.insertPlan(fields, token: token, now: now, $0) }
        return MembershipsRoutes.response(201, Plan(id: id, token: token, fields))
    }

    private func update(_ ctx: Context<PlanScope>, partial: Bool) async throws -> Response {
        let plan = ctx.scope.plan
        let fields = try MembershipsRules.fields(ctx.input, partial: partial, existing: plan)
        let updated = try await services.store.write { try MembershipsStore.updatePlan(id: plan.id, fields, $0) }
        guard updated else { throw APIError.notFound }
        return MembershipsRoutes.response(200, Plan(id: plan.id, token: plan.token, fields))
    }

    private func delete(_ ctx: Context<PlanScope>) async throws -> Response {
        try await PlanRemoval.delete(ctx.scope.plan, services)
        return Response(status: 204)
    }

    // MARK: output

    /// `{title, description, price, active_months, is_available, token}`.
    static func write(_ p: Plan, to w: inout JSONWriter) {
        w.beginObject()
        w.key("title"); w.string(p.title)
        w.key("description"); w.string(p.description)
        w.key("price"); w.int(p.price)
        w.key("active_months"); w.int(p.activeMonths)
        w.key("is_available"); w.bool(p.isAvailable)
        w.key("token"); w.string(p.token)
        w.endObject()
    }

    static func response(_ status: Int, _ plan: Plan) -> Response {
        var w = JSONWriter(capacity: 256)
        write(plan, to: &w)
        return Response.json(status, w.bytes)
    }
}
