import HTTP
import JSON
import Security
import Store

/// Membership plans (SPEC 13): listed, created, edited and deleted with the API's rules and messages
/// (`MembershipsRules.fields`, `PlanRemoval`: a plan in use cannot be deleted).
struct MembershipsPages: Sendable {
    let services: Services

    func register(on panel: Panel) {
        panel.page("/admin/memberships/", "Membership plans", list)
        panel.page("/admin/memberships/new/", "The form for a new plan") { ctx in
            form(ctx, title: "New plan", action: "/admin/memberships/new/", values: [:], errors: FieldErrors())
        }
        panel.action("/admin/memberships/new/", "Create a plan", create)
        panel.page("/admin/memberships/:token/", "A plan's form", edit)
        panel.action("/admin/memberships/:token/", "Save a plan", update)
        panel.action("/admin/memberships/:token/delete/", "Delete a plan no subscription references", delete)
    }

    static func path(_ token: String) -> String { "/admin/memberships/\(token)/" }
    static let fieldNames = ["title", "description", "price", "active_months"]

    private func list(_ ctx: PanelContext) throws -> Response {
        // Plans are few (a community has a handful); the list shows the first 100, oldest first as the API does.
        let (plans, total, uses) = try ctx.read { c -> ([Plan], Int, [Int64: Int]) in
            let plans = try MembershipsStore.plans(limit: 100, offset: 0, c)
            var uses: [Int64: Int] = [:]
            for p in plans { uses[p.id] = try MembershipsStore.subscriptionCount(planId: p.id, c) }
            return (plans, try MembershipsStore.planCount(c), uses)
        }
        let table = Tags.table(["Title", "Price", "Months", "Available", "Subscriptions"], plans.map { p -> [Markup] in
            [Tags.link(MembershipsPages.path(p.token), p.title), "\(p.price)", "\(p.activeMonths)",
             p.isAvailable ? Tags.badge("available", "ok") : Tags.badge("unavailable", "muted"), "\(uses[p.id] ?? 0)"]
        }, empty: "No plans yet.")
        let more: Markup = total > plans.count ? "<p class=\"muted\">The first \(plans.count) of \(total).</p>" : ""
        return ctx.page("Memberships", .memberships, """
        <p class="actions"><a href="/admin/memberships/new/">New plan</a></p>\(table)\(more)
        """)
    }

    private func load(_ ctx: PanelContext) throws -> Plan {
        let token = try ctx.token("token")
        guard let plan = try ctx.read({ try MembershipsStore.plan(token: token, $0) }) else { throw PanelError.notFound }
        return plan
    }

    /// The form's fields as the API's validator reads them; an unticked box is an explicit false.
    private func input(_ form: PanelForm) -> Input {
        var members: [(key: String, value: JSONValue)] = MembershipsPages.fieldNames.compactMap { name in
            form[name].map { (name, JSONValue.string($0)) }
        }
        members.append(("is_available", .string(form.isTicked("is_available") ? "true" : "false")))
        return Input(object: JSONObject(members))
    }

    private func create(_ ctx: PanelContext) async throws -> Response {
        let fields: PlanFields
        do {
            fields = try MembershipsRules.fields(input(ctx.form), partial: false, existing: nil)
        } catch let APIError.fields(errors) {
            return form(ctx, title: "New plan", action: "/admin/memberships/new/", values: ctx.form.fields, errors: errors)
        }
        let token = SecureRandom.uuidV4(), now = Clock.nowMicros()
        try await services.store.write { _ = try MembershipsStore.insertPlan(fields, token: token, now: now, $0) }
        try await ctx.audit("create", AuditObject(type: "plan", token: token, label: fields.title))
        return ctx.redirect(MembershipsPages.path(token), notice: .planCreated)
    }

    private func edit(_ ctx: PanelContext) throws -> Response {
        let plan = try load(ctx)
        let values = ["title": plan.title, "description": plan.description, "price": String(plan.price),
                      "active_months": String(plan.activeMonths), "is_available": plan.isAvailable ? "true" : ""]
        return form(ctx, title: plan.title, action: MembershipsPages.path(plan.token),
                    values: values.filter { !$0.value.isEmpty }, errors: FieldErrors(), plan: plan)
    }

    private func update(_ ctx: PanelContext) async throws -> Response {
        let plan = try load(ctx)
        let fields: PlanFields
        do {
            fields = try MembershipsRules.fields(input(ctx.form), partial: false, existing: plan)
        } catch let APIError.fields(errors) {
            return form(ctx, title: plan.title, action: MembershipsPages.path(plan.token), values: ctx.form.fields,
                        errors: errors, plan: plan)
        }
        let updated = try await services.store.write { try MembershipsStore.updatePlan(id: plan.id, fields, $0) }
        guard updated else { throw PanelError.notFound }
        try await ctx.audit("update", AuditObject(type: "plan", token: plan.token, label: fields.title))
        return ctx.redirect(MembershipsPages.path(plan.token), notice: .planUpdated)
    }

    private func delete(_ ctx: PanelContext) async throws -> Response {
        let plan = try load(ctx)
        try await PlanRemoval.delete(plan, services)
        try await ctx.audit("delete", AuditObject(type: "plan", token: plan.token, label: plan.title))
        return ctx.redirect("/admin/memberships/", notice: .planDeleted)
    }

    /// The plan form, filled with `values`, with the validator's messages under their fields (400 when any).
    private func form(_ ctx: PanelContext, title: String, action: String, values: [String: String], errors: FieldErrors,
                      plan: Plan? = nil) -> Response {
        func messages(_ name: String) -> Markup {
            let list = errors.entries.first { $0.field == name }?.messages ?? []
            return Markup.join(list.map { "<span class=\"field-error\">\($0)</span>" })
        }
        let available = values["is_available"] != nil ? " checked" : ""
        let other: Markup = errors.entries.contains { !Self.fieldNames.contains($0.field) && $0.field != "is_available" }
            ? "<p class=\"error\">\(errors.entries.flatMap(\.messages).joined(separator: " "))</p>" : ""
        let delete: Markup = plan.map {
            "<h2>Delete</h2><div class=\"actions\">\(ctx.button(MembershipsPages.path($0.token) + "delete/", "Delete plan", tone: "danger"))</div>\n<p class=\"muted\">A plan that any subscription references cannot be deleted.</p>"
        } ?? ""
        return ctx.page(title, .memberships, status: errors.isEmpty ? 200 : 400, """
        \(other)
        <form class="edit" method="post" action="\(action)">\(ctx.csrfField)
        <label>Title <input name="title" value="\(values["title"] ?? "")" maxlength="210" required>\(messages("title"))</label>
        <label>Description <textarea name="description" maxlength="400" rows="3">\(values["description"] ?? MembershipsRules.defaultDescription)</textarea>\(messages("description"))</label>
        <label>Price <input name="price" type="number" min="10" max="1000" value="\(values["price"] ?? String(MembershipsRules.defaultPrice))">\(messages("price"))</label>
        <label>Active months <input name="active_months" type="number" min="1" max="24" value="\(values["active_months"] ?? "1")" required>\(messages("active_months"))</label>
        <label class="check"><input type="checkbox" name="is_available" value="true"\(available)> Available to subscribe\(messages("is_available"))</label>
        <button type="submit">Save</button>
        </form>
        \(delete)
        """)
    }
}
