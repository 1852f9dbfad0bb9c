import HTTP
import JSON
import Security
import Store
import WriteBehind

/// Where a page starts when the client followed a `next` or `previous` link: the sort key of the row just
/// before it (`after`) or just after it (`before`). Following links then costs O(limit) at any depth.
enum PagePosition: Sendable, Equatable {
    case after([Int64])
    case before([Int64])

    /// The `cursor` query value: `a` or `b` and the key sealed (the key holds internal ids, which never appear
    /// in the API: the text is opaque to clients).
    func text(_ cursors: SealedNumbers) -> String {
        switch self {
        case .after(let k): return "a" + cursors.seal(k)
        case .before(let k): return "b" + cursors.seal(k)
        }
    }

    /// nil for anything that is not a cursor this server made (the page then falls back to its offset).
    init?(_ text: String, _ cursors: SealedNumbers) {
        guard let kind = text.first, kind == "a" || kind == "b", let key = cursors.open(text.dropFirst()),
              (1...4).contains(key.count) else { return nil }
        self = kind == "a" ? .after(key) : .before(key)
    }
}

/// `?limit=&offset=` (default 15, at most 100), an optional position key (`cursor`), and the
/// `{count, next, previous, results}` envelope whose links keep `limit` and `offset` and carry the position key.
struct Page: Sendable {
    static let defaultLimit = 15
    static let maxLimit = 100
    let limit: Int
    let offset: Int
    let position: PagePosition?
    /// Seals the position keys of the links (nil: links carry none).
    let cursors: SealedNumbers?

    init(limit: Int, offset: Int, position: PagePosition? = nil, cursors: SealedNumbers? = nil) {
        self.limit = limit
        self.offset = offset
        self.position = position
        self.cursors = cursors
    }

    /// Bad or missing values fall back to the defaults, as the original's paginator did.
    init(_ request: Request, cursors: SealedNumbers) {
        var limit = Page.defaultLimit
        if let l = request.query("limit").flatMap({ Int($0) }), l > 0 { limit = min(l, Page.maxLimit) }
        var offset = 0
        if let o = request.query("offset").flatMap({ Int($0) }), o > 0 { offset = min(o, Int(Int32.max)) }
        self.limit = limit
        self.offset = offset
        // A position key only makes sense away from the start; page 1 is cheap without one.
        position = offset > 0 ? request.query("cursor").flatMap { PagePosition($0, cursors) } : nil
        self.cursors = cursors
    }

    /// How to read this page from the end of a list of `total` rows when its offset lies in the back half:
    /// skip `skip` rows in the reverse order, take `limit` (0 past the end) and reverse them. That costs
    /// O(total − offset + limit) instead of O(offset). nil in the front half (read forward).
    func fromTheEnd(total: Int) -> (skip: Int, limit: Int)? {
        guard offset > total / 2 else { return nil }
        let end = min(offset + limit, total)
        return (total - end, max(0, end - offset))
    }

    /// The envelope around already-encoded `results`. `keys` are the sort keys of the page's first and last
    /// rows (nil for lists that cannot be followed by position), put in the links.
    func response(count: Int, keys: (first: [Int64], last: [Int64])? = nil, request: Request, domain: String,
                  results: (inout JSONWriter) -> Void) -> Response {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("count"); w.int(count)
        w.key("next")
        if offset + limit < count {
            w.string(url(request, domain, offset: offset + limit, position: keys.map { .after($0.last) }))
        } else {
            w.null()
        }
        w.key("previous")
        if offset <= 0 {
            w.null()
        } else if offset - limit <= 0 {
            w.string(url(request, domain, offset: nil, position: nil))
        } else {
            w.string(url(request, domain, offset: offset - limit, position: keys.map { .before($0.first) }))
        }
        w.key("results")
        w.beginArray()
        results(&w)
        w.endArray()
        w.endObject()
        return Response.json(200, w.bytes)
    }

    /// The same envelope for rows that know their sort key.
    func response<Row>(count: Int, rows: [Row], key: (Row) -> [Int64], request: Request, domain: String,
                       write: (inout JSONWriter, Row) -> Void) -> Response {
        let keys = rows.first.flatMap { first in rows.last.map { (key(first), key($0)) } }
        return response(count: count, keys: keys, request: request, domain: domain) { w in
            for row in rows { write(&w, row) }
        }
    }

    private func url(_ request: Request, _ domain: String, offset: Int?, position: PagePosition?) -> String {
        var items = request.queryItems.filter { $0.0 != "limit" && $0.0 != "offset" && $0.0 != "cursor" }
        items.append(("limit", String(limit)))
        if let offset { items.append(("offset", String(offset))) }
        if let position, let cursors { items.append(("cursor", position.text(cursors))) }
        let query = items.map { "\(PercentEncoding.encodeComponent($0.0))=\(PercentEncoding.encodeComponent($0.1))" }.joined(separator: "&")
        return domain + request.path + "?" + query
    }
}

extension Page {
    /// A page of a write-behind cache's entries for `owner` (pending writes included): each row is the user
    /// reference plus what `fields` writes of its value. A position key [sortKey, user] reads the page after
    /// or before it (O(limit) at any depth); the links carry the first and last rows' keys.
    func userList<T: WriteBehindTable>(_ cache: WriteBehindCache<T>, owner: Int64, request: Request, services: Services,
                                       fields: (inout JSONWriter, T.Value) -> Void) async throws -> Response {
        let count = try await cache.count(owner: owner)
        let rows: [(user: Int64, value: T.Value)]
        switch position {
        case .after(let k)? where k.count == 2:
            rows = try await cache.page(owner: owner, after: PageKey(sortKey: k[0], user: k[1]), limit: limit)
        case .before(let k)? where k.count == 2:
            rows = try await cache.page(owner: owner, before: PageKey(sortKey: k[0], user: k[1]), limit: limit)
        default:
            rows = try await cache.page(owner: owner, limit: limit, offset: offset)
        }
        let users = try services.users.references(rows.map(\.user))
        let keys = rows.first.flatMap { first in
            rows.last.map { last in ([first.value.sortKey, first.user], [last.value.sortKey, last.user]) }
        }
        return response(count: count, keys: keys, request: request, domain: services.domain) { w in
            for row in rows {
                w.beginObject()
                w.userRef("user", users[row.user])
                fields(&w, row.value)
                w.endObject()
            }
        }
    }
}

/// An order that pages follow by position: columns compared as one row value, all in one direction. Lists
/// declare it next to their SQL, and an index matching it lets SQLite read a page in O(limit).
struct Keyset: Sendable {
    let columns: [String]
    let descending: Bool

    /// What to add to a list query for `page`: an extra condition with its arguments, the ORDER BY and
    /// LIMIT/OFFSET with theirs (bound, so each list keeps a few statement shapes), and whether the rows come in
    /// reverse (a `before` position reads backwards). `total`, the rows the list holds, lets an offset in the
    /// back half be read backwards from the end (`Page.fromTheEnd`); the same index serves both directions.
    func clause(_ page: Page, total: Int? = nil) -> (condition: String?, args: [Int64], tail: String, tailArgs: [Int64],
                                                     reversed: Bool) {
        let list = "(" + columns.joined(separator: ", ") + ")"
        let marks = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        func order(_ desc: Bool) -> String { "ORDER BY " + columns.map { "\($0) \(desc ? "DESC" : "ASC")" }.joined(separator: ", ") }
        switch page.position {
        case .after(let key)? where key.count == columns.count:
            return ("\(list) \(descending ? "<" : ">") \(marks)", key, "\(order(descending)) LIMIT ?", [Int64(page.limit)], false)
        case .before(let key)? where key.count == columns.count:
            return ("\(list) \(descending ? ">" : "<") \(marks)", key, "\(order(!descending)) LIMIT ?", [Int64(page.limit)], true)
        default:
            if let back = total.flatMap(page.fromTheEnd) {
                return (nil, [], "\(order(!descending)) LIMIT ? OFFSET ?", [Int64(back.limit), Int64(back.skip)], true)
            }
            return (nil, [], "\(order(descending)) LIMIT ? OFFSET ?", [Int64(page.limit), Int64(page.offset)], false)
        }
    }
}

extension Connection {
    /// One page of `SELECT <columns> FROM <from> WHERE <scope>` in `keyset` order, by offset or by position.
    /// `total` is how many rows the scope holds, when known cheaply (a kept counter): an offset in the back
    /// half is then read from the end. Read it in the same transaction as the page (`readTransaction`), or
    /// a write in between shifts the page.
    func page<T>(_ columns: String, from: String, where scope: String, _ args: [any SQLBindable], _ keyset: Keyset,
                 _ page: Page, total: Int? = nil, _ map: (Row) throws -> T) throws -> [T] {
        let q = Connection.pageQuery(columns, from: from, where: scope, args, keyset, page, total: total)
        let rows = try query(q.sql, q.args, map)
        return q.reversed ? rows.reversed() : rows
    }

    /// The statement `page` runs (a test checks every list's query plan with it).
    static func pageQuery(_ columns: String, from: String, where scope: String, _ args: [any SQLBindable],
                          _ keyset: Keyset, _ page: Page, total: Int? = nil)
        -> (sql: String, args: [any SQLBindable], reversed: Bool) {
        let k = keyset.clause(page, total: total)
        let condition = k.condition.map { " AND \($0)" } ?? ""
        return ("SELECT \(columns) FROM \(from) WHERE \(scope)\(condition) \(k.tail)",
                args + k.args.map { $0 as any SQLBindable } + k.tailArgs.map { $0 as any SQLBindable }, k.reversed)
    }

    /// `body` in one read transaction (unless one is open already), so that a list's count and its page
    /// see the same rows.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }
}
