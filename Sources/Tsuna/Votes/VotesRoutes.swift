import HTTP
import JSON

/// `/votes/v1/<ct>/<object_token>/`: the caller's vote, vote, unvote, list (SPEC section 8).
/// Votes go through the write-behind cache: acknowledged from memory, flushed to SQLite in batches.
struct VotesRoutes: Sendable {
    let services: Services

    static let alreadyVoted = "You have already voted to this object."
    static let notVoted = "You have not voted to this object."
    static let upBody = Array(#"{"choice": "u"}"#.utf8)
    static let downBody = Array(#"{"choice": "d"}"#.utf8)
    static let choice = BodyField.choice("choice", ["u", "d"], default: "u", about: "u: up, d: down.")

    func register(on api: API) {
        let tags = ["votes"]
        let base = "/votes/v1/:ct/:object_token/"
        let item = Loader<ItemScope>.item(visibility: .checked)
        let privateItem = Answer.refused(403, ItemScope.privateContent)
        api.route("GET", base, item, answers: [.ok(.ownVote, "The caller's vote, or null."), privateItem],
                  summary: "The caller's vote {choice, date} or null", tags: tags) { ctx in
            guard let vote = try await services.votes.value(owner: ctx.item.id, user: ctx.caller.id) else {
                return Response.json(200, Wire.nullBody)
            }
            var w = JSONWriter()
            w.beginObject()
            w.key("choice"); w.string(vote.choice)
            w.key("date"); w.date(vote.date)
            w.endObject()
            return Response.json(200, w.bytes)
        }
        api.route("POST", base + "create/", item, body: .fields(VotesRoutes.choice),
                  answers: [.created(.vote, "The vote."), privateItem, .refused(403, VotesRoutes.alreadyVoted)],
                  summary: "Vote up (u, default) or down (d)", tags: tags, vote)
        api.route("DELETE", base + "delete/", item,
                  answers: [.deleted("The vote is withdrawn."), privateItem, .refused(403, VotesRoutes.notVoted)],
                  summary: "Withdraw the caller's vote", tags: tags) { ctx in
            guard try await services.votes.remove(owner: ctx.item.id, user: ctx.caller.id) != nil else {
                throw APIError.forbidden(VotesRoutes.notVoted)
            }
            return Response(status: 204)
        }
        api.route("GET", base + "list/", item, answers: [.page(.voteRow, "A page of votes, oldest first."), privateItem],
                  summary: "Votes on the item, oldest first", tags: tags) { ctx in
            try await ctx.page.userList(services.votes, owner: ctx.item.id, request: ctx.request,
                                                 services: services) { w, value in
                w.key("choice"); w.string(value.choice)
                w.key("date"); w.date(value.date)
            }
        }
    }

    private func vote(_ ctx: Context<ItemScope>) async throws -> Response {
        var v = Validator(ctx.input)
        let choice = v.choice(VotesRoutes.choice) ?? "u"
        try v.finish()
        let vote = Vote(up: choice == "u", date: Clock.nowMicros())
        guard try await services.votes.insertIfAbsent(owner: ctx.item.id, user: ctx.caller.id, value: vote) else {
            throw APIError.forbidden(VotesRoutes.alreadyVoted)
        }
        return Response.json(201, vote.up ? VotesRoutes.upBody : VotesRoutes.downBody)
    }
}
