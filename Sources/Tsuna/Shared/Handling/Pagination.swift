import HTTP
import JSON
import WriteBehind

/// `?limit=&offset=` (default 15, at most 100) and the `{count, next, previous, results}` envelope.
struct Page {
    static let defaultLimit = 15
    static let maxLimit = 100
    let limit: Int
    let offset: Int

    init(limit: Int, offset: Int) {
        self.limit = limit
        self.offset = offset
    }

    /// Bad or missing values fall back to the defaults, as the original's paginator did.
    init(_ request: Request) {
        var limit = Page.defaultLimit
        if let l = request.query("limit").flatMap({ Int($0) }), l > 0 { limit = min(l, Page.maxLimit) }
        var offset = 0
        if let o = request.query("offset").flatMap({ Int($0) }), o > 0 { offset = min(o, Int(Int32.max)) }
        self.limit = limit
        self.offset = offset
    }

    /// The envelope around already-encoded `results`.
    func response(count: Int, request: Request, domain: String, results: (inout JSONWriter) -> Void) -> Response {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("count"); w.int(count)
        w.key("next")
        if offset + limit < count { w.string(url(request, domain, offset: offset + limit)) } else { w.null() }
        w.key("previous")
        if offset <= 0 {
            w.null()
        } else {
            w.string(url(request, domain, offset: offset - limit <= 0 ? nil : offset - limit))
        }
        w.key("results")
        w.beginArray()
        results(&w)
        w.endArray()
        w.endObject()
        return Response.json(200, w.bytes)
    }

    private func url(_ request: Request, _ domain: String, offset: Int?) -> String {
        var items = request.queryItems.filter { $0.0 != "limit" && $0.0 != "offset" }
        items.append(("limit", String(limit)))
        if let offset { items.append(("offset", String(offset))) }
        let query = items.map { "\(Page.encode($0.0))=\(Page.encode($0.1))" }.joined(separator: "&")
        return domain + request.path + "?" + query
    }

    private static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Page {
    /// A page of a write-behind cache's entries for `owner` (pending writes included): each row is the user
    /// reference plus what `fields` writes of its value.
    func userList<T: WriteBehindTable>(_ cache: WriteBehindCache<T>, owner: Int64, request: Request, services: Services,
                                       fields: (inout JSONWriter, T.Value) -> Void) async throws -> Response {
        let count = try await cache.count(owner: owner)
        let rows = try await cache.page(owner: owner, limit: limit, offset: offset)
        let users = try services.users.references(rows.map(\.user))
        return response(count: count, request: request, domain: services.domain) { w in
            for row in rows {
                w.beginObject()
                w.userRef("user", users[row.user])
                fields(&w, row.value)
                w.endObject()
            }
        }
    }
}
