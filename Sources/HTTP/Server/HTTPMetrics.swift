import Foundation
import Synchronization

/// Request counts by route and status, and a latency histogram, in Prometheus' text format.
public final class HTTPMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]

    private struct Key: Hashable { let route: String; let method: String; let status: Int }
    private struct Counts {
        var byKey: [Key: Int] = [:]
        var buckets = [Int](repeating: 0, count: HTTPMetrics.buckets.count + 1)
        var sumMillis: Int64 = 0
        var total = 0
    }
    private let counts = Mutex(Counts())

    public init() {}

    func record(route: String, method: String, status: Int, millis: Int64) {
        let seconds = Double(millis) / 1000
        var bucket = HTTPMetrics.buckets.count
        for (i, bound) in HTTPMetrics.buckets.enumerated() where seconds <= bound { bucket = i; break }
        counts.withLock { c in
            c.byKey[Key(route: route, method: method, status: status), default: 0] += 1
            c.buckets[bucket] += 1
            c.sumMillis += millis
            c.total += 1
        }
    }

    /// The metrics as Prometheus exposition text.
    public func render() -> String {
        let c = counts.withLock { $0 }
        var s = "# HELP http_requests_total Requests answered, by route pattern, method and status.\n"
        s += "# TYPE http_requests_total counter\n"
        for (k, v) in c.byKey.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            s += "http_requests_total{route=\"\(escape(k.route))\",method=\"\(escape(k.method))\",status=\"\(k.status)\"} \(v)\n"
        }
        s += "# HELP http_request_duration_seconds Time from request head to response.\n"
        s += "# TYPE http_request_duration_seconds histogram\n"
        var cumulative = 0
        for (i, bound) in HTTPMetrics.buckets.enumerated() {
            cumulative += c.buckets[i]
            s += "http_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        s += "http_request_duration_seconds_bucket{le=\"+Inf\"} \(c.total)\n"
        s += "http_request_duration_seconds_sum \(Double(c.sumMillis) / 1000)\n"
        s += "http_request_duration_seconds_count \(c.total)\n"
        return s
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
