import HTTP
import JSON
import Security
import Store

/// `/memberships/v1/`: membership plans and subscribing to them (SPEC section 3).
struct MembershipsRoutes {
    let api: API
    var services: Services { api.services }

    func register() {
        let tags = ["memberships"]
        api.route("GET", "/memberships/v1/", summary: "All membership plans, oldest first", tags: tags) { try list($0) }
        api.route("POST", "/memberships/v1/", summary: "Create a membership plan (admins)", tags: tags) {
            try await create($0)
        }
        api.route("GET", "/memberships/v1/:token/", summary: "A membership plan", tags: tags) { try detail($0) }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/memberships/v1/:token/",
                      summary: method == "PUT" ? "Replace a membership plan (admins)" : "Update part of a membership plan (admins)",
                      tags: tags) { try await update($0, partial: method == "PATCH") }
        }
        api.route("DELETE", "/memberships/v1/:token/", summary: "Delete a plan no subscription references (admins)",
                  tags: tags) { try await delete($0) }
        api.route("POST", "/memberships/v1/:token/subscribe/", summary: "Subscribe to a plan (normal users)",
                  tags: tags) { try await subscribe($0) }
    }

    // MARK: plans

    private func list(_ ctx: Context) throws -> Response {
        let page = Page(ctx.request)
        let (count, plans) = try services.store.read { c in
            (try MembershipsStore.planCount(c), try MembershipsStore.plans(limit: page.limit, offset: page.offset, c))
        }
        return page.response(count: count, results: { w in
            for p in plans { MembershipsRoutes.write(p, to: &w) }
        }, request: ctx.request, domain: services.domain)
    }

    private func create(_ ctx: Context) async throws -> Response {
        guard ctx.user.isAdmin else { throw APIError.forbidden(MembershipsRules.adminOnly) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        let fields = try MembershipsRules.fields(input, partial: false, existing: nil)
        let token = SecureRandom.uuidV4()
        let now = Clock.nowMicros()
        let id = try await services.store.write { try MembershipsStore.insertPlan(fields, token: token, now: now, $0) }
        return MembershipsRoutes.response(201, Plan(id: id, token: token, fields))
    }

    private func detail(_ ctx: Context) throws -> Response {
        MembershipsRoutes.response(200, try existingPlan(ctx))
    }

    private func update(_ ctx: Context, partial: Bool) async throws -> Response {
        let plan = try existingPlan(ctx)
        guard ctx.user.isAdmin else { throw APIError.forbidden(MembershipsRules.adminOnly) }
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        let fields = try MembershipsRules.fields(input, partial: partial, existing: plan)
        let updated = try await services.store.write { try MembershipsStore.updatePlan(id: plan.id, fields, $0) }
        guard updated else { throw APIError.notFound() }
        return MembershipsRoutes.response(200, Plan(id: plan.id, token: plan.token, fields))
    }

    private func delete(_ ctx: Context) async throws -> Response {
        let plan = try existingPlan(ctx)
        guard ctx.user.isAdmin else { throw APIError.forbidden(MembershipsRules.adminOnly) }
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
        return Response(status: 204)
    }

    /// The plan named by the path's token; 404 for an unknown or non-UUID token.
    func existingPlan(_ ctx: Context) throws -> Plan {
        guard let token = TokenFormat.normalized(ctx.parameter("token")),
              let plan = try services.store.read({ try MembershipsStore.plan(token: token, $0) }) else {
            throw APIError.notFound()
        }
        return plan
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
