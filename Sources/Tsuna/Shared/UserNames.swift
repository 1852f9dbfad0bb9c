import Store

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
