import Store

/// A statement with its arguments, built by a feature's store and run there; tests ask SQLite for its plan, so a
/// list that must walk an index in the order it shows is checked against the real query text.
struct SQLQuery {
    let sql: String
    let arguments: [any SQLBindable]

    func rows<T>(_ c: Connection, _ map: (Row) throws -> T) throws -> [T] {
        try c.query(sql, arguments, map)
    }

    /// SQLite's `EXPLAIN QUERY PLAN` lines for this statement.
    func plan(_ c: Connection) throws -> [String] {
        try c.query("EXPLAIN QUERY PLAN " + sql, arguments) { $0.string("detail") }
    }
}

/// A position in a list shown newest first (ids grow with time): the newest rows, the rows older than an id, or
/// the rows newer than one. Each walks the rowid (or an index ending in it) from the cursor, so a page costs the
/// same at any depth.
enum IdCursor: Sendable, Equatable {
    case newest
    case olderThan(Int64)
    case newerThan(Int64)

    /// `AND <column> < ?` (or `>`) and the ORDER BY that walks from the cursor.
    func sql(_ column: String) -> (condition: String, order: String, arguments: [any SQLBindable]) {
        switch self {
        case .newest: return ("", "\(column) DESC", [])
        case .olderThan(let id): return (" AND \(column) < ?", "\(column) DESC", [id])
        case .newerThan(let id): return (" AND \(column) > ?", "\(column) ASC", [id])
        }
    }

    /// Rows fetched in walking order, put newest first.
    func newestFirst<T>(_ rows: [T]) -> [T] {
        if case .newerThan = self { return rows.reversed() }
        return rows
    }
}

/// A case-insensitive prefix search walked in the order of a NOCASE index on the searched text, ties by id;
/// the next page starts at the last row shown, so it costs the same at any depth.
struct PrefixSearch: Sendable {
    let prefix: String
    /// The last row of the previous page, nil for the first page.
    let afterText: String?
    let afterId: Int64

    init(prefix: String, afterText: String? = nil, afterId: Int64 = 0) {
        self.prefix = prefix
        self.afterText = afterText
        self.afterId = afterId
    }

    /// `<text> >= ? AND <text> < ?`, narrowed to after the cursor; `text` is the indexed expression (NOCASE).
    /// No string starting with the prefix sorts above prefix + U+10FFFF (the largest code point; NOCASE folds
    /// ASCII only).
    func sql(_ text: String, id: String = "id") -> (condition: String, order: String, arguments: [any SQLBindable]) {
        let upper = prefix + "\u{10FFFF}"
        let order = "\(text) COLLATE NOCASE, \(id)"
        guard let afterText else {
            return ("\(text) >= ? COLLATE NOCASE AND \(text) < ? COLLATE NOCASE", order, [prefix, upper])
        }
        // The cursor's text is itself a match, so the range starts there; only its ties need the id.
        return ("\(text) >= ? COLLATE NOCASE AND \(text) < ? COLLATE NOCASE AND (\(text) > ? COLLATE NOCASE OR \(id) > ?)",
                order, [afterText, upper, afterText, afterId])
    }
}
