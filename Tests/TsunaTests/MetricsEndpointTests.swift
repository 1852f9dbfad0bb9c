import XCTest
import Foundation
import TestSupport

/// `/metrics` of the real server (SPEC 12 "probes"): well-formed exposition text with the process, build,
/// connection, cache, mail and storage families an operator alerts on.
final class MetricsEndpointTests: XCTestCase {
    func testEveryFamilyIsWellFormedAndTheOperatorsFiguresAreThere() throws {
        let f = try ContentFixture(environment: ["TSUNA_SNAPSHOT_INTERVAL_SECONDS": "0.2", "TSUNA_FLUSH_INTERVAL_SECONDS": "0.3"])
        let c = f.c
        let fan = try f.server.makeUser("fan@example.com")
        _ = try f.item()
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: fan.access).status, 201)
        XCTAssertEqual(try c.request("BREW", "/healthz").status, 405)

        var text = PrometheusText("")
        // Mail goes out, a snapshot and a flush happen, the media folder is measured: all in the background.
        XCTAssertTrue(try eventually {
            text = PrometheusText(try c.request("GET", "/metrics").text)
            return (text.value("tsuna_mail_sent_total") ?? 0) >= 2
                && text.value("tsuna_cache_last_flush_timestamp_seconds", ["cache": "subscriptions"]) != nil
                && text.value("tsuna_cache_last_snapshot_timestamp_seconds", ["cache": "subscriptions"]) != nil
                && text.value("tsuna_media_bytes") != nil
        }, "the background figures appear")
        XCTAssertEqual(text.problems, [])

        let now = Date().timeIntervalSince1970
        for family in ["process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
                       "process_cpu_seconds_total", "http_open_connections", "tsuna_database_bytes", "tsuna_media_bytes",
                       "tsuna_outbox_depth", "tsuna_mail_failed_total", "tsuna_mail_given_up_total"] {
            XCTAssertNotNil(text.value(family), family)
        }
        XCTAssertGreaterThan(text.value("process_resident_memory_bytes")!, 1_000_000)
        XCTAssertGreaterThan(text.value("process_open_fds")!, 3)
        XCTAssertEqual(text.value("process_start_time_seconds")!, now, accuracy: 120)
        XCTAssertGreaterThanOrEqual(text.value("http_open_connections")!, 1)
        XCTAssertGreaterThanOrEqual(text.value("tsuna_media_bytes")!, Double(ContentFixture.mp4.count))
        XCTAssertGreaterThan(text.value("tsuna_database_bytes")!, 4096)
        XCTAssertEqual(text.value("tsuna_mail_failed_total"), 0)
        XCTAssertEqual(text.value("tsuna_cache_last_flush_timestamp_seconds", ["cache": "subscriptions"])!, now, accuracy: 120)
        XCTAssertEqual(text.value("tsuna_cache_accepting_writes", ["cache": "votes"]), 1)

        let build = try XCTUnwrap(text.values("tsuna_build_info").first)
        XCTAssertEqual(build.value, 1)
        XCTAssertEqual(build.labels["version"], "0.1.0")
        XCTAssertFalse(build.labels["commit"]?.isEmpty ?? true)
        let version = try f.server.runCommand(["version"])
        XCTAssertTrue(version.out.contains("commit \(build.labels["commit"]!), built "), version.out)

        // Per route and method, with the route's pattern (never a token) and unknown methods folded.
        XCTAssertEqual(text.value("http_requests_total", ["route": "/channel_subscribers/v1/:channel_token/create/",
                                                          "method": "POST", "status": "201"]), 1)
        XCTAssertEqual(text.value("http_requests_total", ["route": "unmatched", "method": "other", "status": "405"]), 1)
        XCTAssertNotNil(text.value("http_request_duration_seconds_bucket", ["route": "/metrics", "method": "GET", "le": "0.0005"]))
        XCTAssertFalse(text.samples.contains { $0.labels.values.contains { $0.contains(f.channel) } }, "no token in a label")
    }
}
