import Platform

/// Requests by route pattern, method and status, and a latency histogram per route and method, in
/// Prometheus' text format.
///
/// Recording is on every request, so it stays cheap: each event loop records into a shard of its own (its
/// lock is never contended across cores), keyed by small integers (the route's registration index and a
/// method code), never by strings. Unknown methods are counted as "other" so a client cannot grow the label
/// set; requests that matched no route are labelled `route="unmatched"`.
public final class HTTPMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let bucketNanos: [UInt64] = buckets.map { UInt64($0 * 1e9) }
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]
    static let unmatchedRoute = -1

    struct SeriesKey: Hashable {
        var route: Int32
        var method: UInt8
    }

    struct Series {
        /// Per bucket (not cumulative), the last one past the largest bound.
        var buckets = [UInt64](repeating: 0, count: HTTPMetrics.buckets.count + 1)
        var sumNanos: UInt64 = 0
        var count: UInt64 = 0
        /// (status, count): a route answers a handful of statuses, so a scan beats hashing.
        var statuses: [(status: UInt16, count: UInt64)] = []

        mutating func add(status: UInt16, nanos: UInt64) {
            var bucket = HTTPMetrics.bucketNanos.count
            for (i, bound) in HTTPMetrics.bucketNanos.enumerated() where nanos <= bound {
                bucket = i
                break
            }
            buckets[bucket] &+= 1
            sumNanos &+= nanos
            count &+= 1
            for i in statuses.indices where statuses[i].status == status {
                statuses[i].count &+= 1
                return
            }
            statuses.append((status, 1))
        }

        mutating func merge(_ other: Series) {
            for i in buckets.indices { buckets[i] &+= other.buckets[i] }
            sumNanos &+= other.sumNanos
            count &+= other.count
            for s in other.statuses {
                if let i = statuses.firstIndex(where: { $0.status == s.status }) { statuses[i].count &+= s.count } else { statuses.append(s) }
            }
        }
    }

    /// One loop's series, at `slot(route:method:)`: an array index, not a hash, on every request.
    private final class Shard: Sendable {
        let series = Locked<[Series?]>([])
    }

    @inline(__always) static func slot(route: Int32, method: UInt8) -> Int {
        Int(max(route, -1) + 1) * methods.count + Int(method)
    }

    static func key(ofSlot slot: Int) -> SeriesKey {
        SeriesKey(route: Int32(slot / methods.count) - 1, method: UInt8(slot % methods.count))
    }

    private let shards: [Shard]
    /// Route patterns by registration index (see `RouteEntry.index`), known once the server starts.
    private let routes = Locked<[RouteInfo]>([])

    /// `shards`: at least the server's event loop count; a loop records into `shards[index % count]`.
    public init(shards: Int = 16) {
        self.shards = (0..<max(1, shards)).map { _ in Shard() }
    }

    /// The routes whose indexes `record` receives (the router's, at start).
    func bind(routes: [RouteInfo]) {
        self.routes.withLock { $0 = routes }
    }

    @inline(__always) static func methodCode(_ method: String) -> UInt8 {
        switch method {
        case "GET": return 0
        case "HEAD": return 1
        case "POST": return 2
        case "PUT": return 3
        case "PATCH": return 4
        case "DELETE": return 5
        case "OPTIONS": return 6
        default: return 7
        }
    }

    func record(route: Int, method: String, status: Int, nanos: UInt64, shard: Int) {
        let slot = HTTPMetrics.slot(route: Int32(truncatingIfNeeded: route), method: HTTPMetrics.methodCode(method))
        let status = UInt16(clamping: status)
        shards[shard % shards.count].series.withLock { series in
            if slot >= series.count { series.append(contentsOf: repeatElement(nil, count: slot + 1 - series.count)) }
            if series[slot] == nil { series[slot] = Series() }
            series[slot]!.add(status: status, nanos: nanos)
        }
    }

    /// Appends the request families to `out`.
    public func render(into out: inout MetricsText) {
        var merged: [SeriesKey: Series] = [:]
        for shard in shards {
            let copy = shard.series.withLock { $0 }
            for (slot, s) in copy.enumerated() {
                if let s { merged[HTTPMetrics.key(ofSlot: slot), default: Series()].merge(s) }
            }
        }
        let routes = self.routes.withLock { $0 }
        func labels(_ key: SeriesKey) -> [(String, String)] {
            let route = key.route >= 0 && Int(key.route) < routes.count ? routes[Int(key.route)].pattern : "unmatched"
            return [("route", route), ("method", HTTPMetrics.methods[Int(key.method)])]
        }
        let ordered = merged.map { (labels($0.key), $0.value) }.sorted { ($0.0[0].1, $0.0[1].1) < ($1.0[0].1, $1.0[1].1) }

        out.family("http_requests_total", .counter, "Requests answered, by route pattern, method and status.")
        for (l, s) in ordered {
            for st in s.statuses.sorted(by: { $0.status < $1.status }) {
                out.sample("http_requests_total", l + [("status", String(st.status))], Double(st.count))
            }
        }
        out.family("http_request_duration_seconds", .histogram,
                   "Time from the end of the request head to the response, by route pattern and method.")
        for (l, s) in ordered {
            var cumulative: UInt64 = 0
            for (i, bound) in HTTPMetrics.buckets.enumerated() {
                cumulative += s.buckets[i]
                out.sample("http_request_duration_seconds_bucket", l + [("le", MetricsText.format(bound))], Double(cumulative))
            }
            out.sample("http_request_duration_seconds_bucket", l + [("le", "+Inf")], Double(s.count))
            out.sample("http_request_duration_seconds_sum", l, Double(s.sumNanos) / 1e9)
            out.sample("http_request_duration_seconds_count", l, Double(s.count))
        }
    }

    /// The request families as exposition text.
    public func render() -> String {
        var out = MetricsText()
        render(into: &out)
        return out.text
    }
}
