import HTTP

/// Keyset paging for the panel's lists, through the query string: lists newest first move with `?before=<id>`
/// (older) and `?after=<id>` (newer); prefix searches move forward with `?from=<text>&from_id=<id>`. A page is
/// fetched with one row more than it shows, to know whether another follows. `?size=` is 1…100 (default 25).
struct PanelPaging {
    static let defaultSize = 25
    static let maxSize = 100
    let size: Int
    let cursor: IdCursor
    /// The last row of the previous page of a prefix search.
    let fromText: String?
    let fromId: Int64
    private let path: String
    private let kept: [(String, String)]

    init(_ ctx: PanelContext, path: String, keep names: [String]) throws(PanelError) {
        let q = ctx.query
        if let size = try q.int64("size") {
            guard (1...Int64(PanelPaging.maxSize)).contains(size) else { throw .badRequest("A page shows 1 to 100 rows.") }
            self.size = Int(size)
        } else {
            size = PanelPaging.defaultSize
        }
        let before = try q.int64("before"), after = try q.int64("after")
        cursor = before.map(IdCursor.olderThan) ?? after.map(IdCursor.newerThan) ?? .newest
        fromText = q.text("from")
        fromId = try q.int64("from_id") ?? 0
        self.path = path
        var kept = names.compactMap { name in q.text(name).map { (name, $0) } }
        if size != PanelPaging.defaultSize { kept.append(("size", String(size))) }
        self.kept = kept
    }

    /// Rows to fetch: one more than shown.
    var limit: Int { size + 1 }

    /// A list newest first: the rows to show and the links to newer and older pages.
    func newestFirst<T>(_ fetched: [T], id: (T) -> Int64) -> (rows: [T], links: Markup) {
        let more = fetched.count > size
        let rows = cursor.newestFirst(Array(fetched.prefix(size)))
        var links: [Markup] = []
        if cursor != .newest { links.append(Tags.link(url([]), "« Newest")) }
        let newer: Bool, older: Bool
        switch cursor {
        case .newest: (newer, older) = (false, more)
        case .olderThan: (newer, older) = (true, more)
        case .newerThan: (newer, older) = (more, true)
        }
        if newer, let first = rows.first { links.append(Tags.link(url([("after", String(id(first)))]), "‹ Newer")) }
        if older, let last = rows.last { links.append(Tags.link(url([("before", String(id(last)))]), "Older ›")) }
        return (rows, links.isEmpty ? "" : "<p class=\"pages\">\(links)</p>")
    }

    /// The prefix search this page continues.
    func search(_ prefix: String) -> PrefixSearch {
        PrefixSearch(prefix: prefix, afterText: fromText, afterId: fromId)
    }

    /// A prefix search in index order: the rows to show and the links to the first and next pages.
    func forward<T>(_ fetched: [T], key: (T) -> (text: String, id: Int64)) -> (rows: [T], links: Markup) {
        let rows = Array(fetched.prefix(size))
        var links: [Markup] = []
        if fromText != nil { links.append(Tags.link(url([]), "« First")) }
        if fetched.count > size, let last = rows.last {
            let k = key(last)
            links.append(Tags.link(url([("from", k.text), ("from_id", String(k.id))]), "Next ›"))
        }
        return (rows, links.isEmpty ? "" : "<p class=\"pages\">\(links)</p>")
    }

    private func url(_ extra: [(String, String)]) -> String {
        PanelURL.make(path, kept + extra)
    }
}

/// Panel addresses with a query string.
enum PanelURL {
    static func make(_ path: String, _ items: [(String, String)]) -> String {
        items.isEmpty ? path : path + "?" + items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    static func encode(_ s: String) -> String { PercentEncoding.encodeComponent(s) }
}
