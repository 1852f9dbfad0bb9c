import FoundationEssentials

/// Plan validation, who may subscribe, and the subscription arithmetic of SPEC section 3.
enum MembershipsRules {
    static let defaultDescription = "No Description available"
    static let defaultPrice = 10
    static let adminOnly = "Only admins can perform this action"
    static let normalOnly = "Only normal users can perform this action"
    static let notAvailable = "Membership is not available to subscribe"
    static let inUse = "Plan is in use"
    /// 9999-12-31T23:59:59.999999Z: the latest instant an RFC 3339 date (4-digit year) can show.
    static let latestDate: Int64 = 253_402_300_799_999_999

    /// Reads a plan's fields: create (`existing` nil: defaults fill the gaps), PUT (absent optional fields keep
    /// their value), PATCH (`partial`: nothing required). Throws SPEC's 400 body.
    static func fields(_ input: Input, partial: Bool, existing: Plan?) throws(APIError) -> PlanFields {
        var v = Validator(input, partial: partial)
        let title = v.text(PlanBodyFields.title)
        let description = v.text(PlanBodyFields.description)
        let price = v.int(PlanBodyFields.price)
        let activeMonths = v.int(PlanBodyFields.activeMonths)
        let isAvailable = v.bool(PlanBodyFields.isAvailable)
        try v.finish()
        // After finish() a required field can be missing only on PATCH, where `existing` supplies it.
        return PlanFields(title: title ?? existing?.title ?? "",
                          description: description ?? existing?.description ?? defaultDescription,
                          price: price ?? existing?.price ?? defaultPrice,
                          activeMonths: activeMonths ?? existing?.activeMonths ?? 1,
                          isAvailable: isAvailable ?? existing?.isAvailable ?? false)
    }

    /// A plan's fields as a body declares them (API and panel alike).
    static let body = BodySpec.fields(PlanBodyFields.title, PlanBodyFields.description, PlanBodyFields.price, PlanBodyFields.activeMonths,
                                      PlanBodyFields.isAvailable)

    /// `start + activeMonths × monthDays` days in µs, capped at `latestDate` (the configuration allows month
    /// lengths whose product would overflow Int64).
    static func end(start: Int64, activeMonths: Int, monthDays: Double) -> Int64 {
        let length = Double(activeMonths) * monthDays * 86_400_000_000
        guard length.isFinite, length >= 0 else { return start }
        let room = Double(latestDate - min(start, latestDate))
        if length >= room { return max(start, latestDate) }
        return min(latestDate, start + Int64(length.rounded()))
    }
}

/// A plan's fields: the validator's limits and the document's are these.
enum PlanBodyFields {
    static let title = BodyField.text("title", maxLength: 210, required: true)
    static let description = BodyField.text("description", maxLength: 400, default: MembershipsRules.defaultDescription)
    static let price = BodyField.integer("price", 10...1000, default: MembershipsRules.defaultPrice)
    static let activeMonths = BodyField.integer("active_months", 1...24, required: true)
    static let isAvailable = BodyField.boolean("is_available", default: false)
}

extension Rule where Scope == PlanScope {
    /// Only normal users subscribe: premium users already have a plan, admins need none.
    static var normalUser: Rule {
        Rule(needsRole: false, summary: "normal users", refusals: [MembershipsRules.normalOnly]) { caller, _ throws(APIError) in
            if caller.role != .normal { throw .forbidden(MembershipsRules.normalOnly) }
        }
    }
}
