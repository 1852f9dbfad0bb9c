import HTTP
import JSON
import Store
import WriteBehind

/// Display names and tokens of users by internal id, for rendering user references in lists.
enum UserNames {
    struct Ref { let name: String; let token: String }

    static func byId(_ ids: [Int64], _ c: Connection) throws -> [Int64: Ref] {
        guard !ids.isEmpty else { return [:] }
        var result: [Int64: Ref] = [:]
        // Chunks keep the statement text to a handful of shapes (they are cached by SQL text).
        for chunk in stride(from: 0, to: ids.count, by: 100).map({ Array(ids[$0..<min($0 + 100, ids.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            try c.forEach("SELECT id, token, first_name, last_name FROM users WHERE id IN (\(marks))", chunk.map { .integer($0) }) { r in
                result[r.int64(0)] = Ref(name: UserName.display(r.string(2), r.string(3)), token: r.string(1))
            }
        }
        return result
    }
}

extension Page {
    /// A page of a write-behind cache's entries for `owner` (pending writes included): each row is the user
    /// reference plus what `fields` writes of its value.
    func userList<T: WriteBehindTable>(_ cache: WriteBehindCache<T>, owner: Int64, ctx: Context,
                                       fields: (inout JSONWriter, T.Value) -> Void) async throws -> Response {
        let count = try await cache.count(owner: owner)
        let rows = try await cache.page(owner: owner, limit: limit, offset: offset)
        let names = try ctx.services.store.read { try UserNames.byId(rows.map(\.user), $0) }
        return response(count: count, results: { w in
            for row in rows {
                let user = names[row.user]
                w.beginObject()
                w.userRef("user", name: user?.name, token: user?.token)
                fields(&w, row.value)
                w.endObject()
            }
        }, request: ctx.request, domain: ctx.services.domain)
    }
}
