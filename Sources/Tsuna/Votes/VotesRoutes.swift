import HTTP
import JSON

/// `/votes/v1/<ct>/<object_token>/`: the caller's vote, vote, unvote, list (SPEC section 8).
/// Votes go through the write-behind cache: acknowledged from memory, flushed to SQLite in batches.
struct VotesRoutes {
    let api: API
    var services: Services { api.services }

    static let alreadyVoted = "You have already voted to this object."
    static let notVoted = "You have not voted to this object."

    func register() {
        let tags = ["votes"]
        let base = "/votes/v1/:ct/:object_token/"
        api.route("GET", base, summary: "The caller's vote {choice, date} or null", tags: tags) { try await mine($0) }
        api.route("POST", base + "create/", summary: "Vote up (u, default) or down (d)", tags: tags) { try await vote($0) }
        api.route("DELETE", base + "delete/", summary: "Withdraw the caller's vote", tags: tags) { try await unvote($0) }
        api.route("GET", base + "list/", summary: "Votes on the item, oldest first", tags: tags) { try await list($0) }
    }

    private func mine(_ ctx: Context) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        guard let vote = try await services.votes.value(owner: item.id, user: ctx.user.id) else {
            return Response.json(200, VotesRoutes.nullBody)
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("choice"); w.string(vote.choice)
        w.key("date"); w.date(vote.date)
        w.endObject()
        return Response.json(200, w.bytes)
    }

    static let nullBody = Array("null".utf8)
    static let upBody = Array(#"{"choice": "u"}"#.utf8)
    static let downBody = Array(#"{"choice": "d"}"#.utf8)

    private func vote(_ ctx: Context) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        let input = try Input.parse(ctx.request, temporaryDirectory: services.configuration.temporaryDirectory)
        var v = Validator(input)
        let choice = v.choice("choice", ["u", "d"]) ?? "u"
        try v.finish()
        let vote = Vote(up: choice == "u", date: Clock.nowMicros())
        guard try await services.votes.insertIfAbsent(owner: item.id, user: ctx.user.id, value: vote) else {
            throw APIError.forbidden(VotesRoutes.alreadyVoted)
        }
        return Response.json(201, vote.up ? VotesRoutes.upBody : VotesRoutes.downBody)
    }

    private func unvote(_ ctx: Context) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        guard try await services.votes.remove(owner: item.id, user: ctx.user.id) != nil else {
            throw APIError.forbidden(VotesRoutes.notVoted)
        }
        return Response(status: 204)
    }

    private func list(_ ctx: Context) async throws -> Response {
        let (item, _) = try ContentAccess.visibleItem(ctx)
        return try await Page(ctx.request).userList(services.votes, owner: item.id, ctx: ctx) { w, value in
            w.key("choice"); w.string(value.choice)
            w.key("date"); w.date(value.date)
        }
    }
}
