import XCTest
import Foundation
import HTTP
import TestSupport

/// The request metrics in Prometheus' text format: per route and method, histograms with +Inf, counters in
/// _total, label values escaped, methods a client cannot multiply.
final class MetricsTests: XCTestCase {
    func testRequestsAndHistogramsByRouteInTheExpositionFormat() async throws {
        let router = Router()
        router.get("/items/:id") { _ in Response(status: 200) }
        router.add("POST", "/items/:id") { _ in Response(status: 201) }
        let metrics = HTTPMetrics(shards: 2)
        let client = InProcessClient(router: router, metrics: metrics)
        for _ in 0..<3 { _ = await client.send(target: "/items/1") }
        _ = await client.send(method: "POST", target: "/items/2")
        _ = await client.send(method: "DELETE", target: "/items/3")
        _ = await client.send(method: "BREW", target: "/nowhere")
        _ = await client.send(method: "BREW2", target: "/nowhere")

        let text = PrometheusText(metrics.render())
        XCTAssertEqual(text.problems, [])
        XCTAssertEqual(text.types["http_requests_total"], "counter")
        XCTAssertEqual(text.types["http_request_duration_seconds"], "histogram")
        XCTAssertEqual(text.value("http_requests_total", ["route": "/items/:id", "method": "GET", "status": "200"]), 3)
        XCTAssertEqual(text.value("http_requests_total", ["route": "/items/:id", "method": "POST", "status": "201"]), 1)
        XCTAssertEqual(text.value("http_requests_total", ["route": "unmatched", "method": "DELETE", "status": "405"]), 1)
        XCTAssertEqual(text.value("http_requests_total", ["route": "unmatched", "method": "other", "status": "404"]), 2,
                       "unknown methods share one label value")
        XCTAssertEqual(text.value("http_request_duration_seconds_bucket", ["route": "/items/:id", "method": "GET", "le": "+Inf"]), 3)
        XCTAssertEqual(text.value("http_request_duration_seconds_count", ["route": "/items/:id", "method": "GET"]), 3)
        XCTAssertEqual(text.values("http_request_duration_seconds_bucket").filter { $0.labels["method"] == "GET" }.count,
                       HTTPMetrics.buckets.count + 1)
    }

    func testLabelValuesAreEscapedAndNumbersFormatted() {
        var out = MetricsText()
        out.family("demo_total", .counter, "A help text with a \\ backslash\nand a newline.")
        out.sample("demo_total", [("path", "a\"b\\c\nd"), ("plain", "x")], 2)
        out.single("demo_ratio", .gauge, "A fraction.", [], 0.25)
        out.single("demo_big", .gauge, "A big one.", [], 1e20)
        XCTAssertTrue(out.text.contains(#"demo_total{path="a\"b\\c\nd",plain="x"} 2"#), out.text)
        XCTAssertTrue(out.text.contains("# HELP demo_total A help text with a \\\\ backslash\\nand a newline.\n"), out.text)
        XCTAssertTrue(out.text.contains("demo_ratio 0.25\n"))
        let text = PrometheusText(out.text)
        XCTAssertEqual(text.problems, [])
        XCTAssertEqual(text.value("demo_total")!, 2)
        XCTAssertEqual(text.values("demo_total").first?.labels["path"], "a\"b\\c\nd", "escapes round-trip")
        XCTAssertEqual(MetricsText.format(.infinity), "+Inf")
        XCTAssertEqual(MetricsText.format(3), "3")
        // The checker itself refuses what breaks the conventions.
        XCTAssertFalse(PrometheusText("# HELP x_count c\n# TYPE x_count counter\nx_count 1\n").problems.isEmpty)
        XCTAssertFalse(PrometheusText("orphan 1\n").problems.isEmpty)
        XCTAssertFalse(PrometheusText("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n").problems.isEmpty)
    }
}
