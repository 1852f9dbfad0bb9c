import FoundationEssentials
import HTTP
import Mail
import Store
import WriteBehind

/// What `/metrics` says (SPEC 12 "probes"), in Prometheus' text format: requests and latency by route, the
/// process, the build, open connections, the write-behind caches, mail, and storage. Everything is held in
/// memory or costs a query on an index; the media folder's size is the background measure the dashboard
/// shares (`MediaUsage`), never a walk per scrape.
struct MetricsEndpoint: Sendable {
    let metrics: HTTPMetrics
    let server: HTTPServer
    let services: Services
    let mailSender: MailSender

    func render() async -> String {
        var out = MetricsText()
        metrics.render(into: &out)
        out.single("http_open_connections", .gauge, "Client connections open now.", [], Double(server.openConnectionCount))
        ProcessMetrics.read().render(into: &out)
        out.single("tsuna_build_info", .gauge, "The running binary's version and commit (always 1).",
                   [("version", TsunaVersion.string), ("commit", TsunaVersion.commit)], 1)
        await caches(into: &out)
        mail(into: &out)
        storage(into: &out)
        return out.text
    }

    private func caches(into out: inout MetricsText) async {
        var stats: [CacheStats] = []
        for cache in services.caches { stats.append(await cache.stats()) }
        let families: [(String, MetricsText.Kind, String, (CacheStats) -> Double?)] = [
            ("tsuna_cache_pending_entries", .gauge, "Writes acknowledged from memory, not yet in SQLite.", { Double($0.pendingEntries) }),
            ("tsuna_cache_unsnapshotted_entries", .gauge, "Pending writes not in a snapshot file yet (what a crash now would lose).",
             { Double($0.unsnapshottedEntries) }),
            ("tsuna_cache_accepting_writes", .gauge, "1 while writes are acknowledged, 0 while refused (snapshots failing, disk full).",
             { $0.acceptingWrites ? 1 : 0 }),
            ("tsuna_cache_last_flush_rows", .gauge, "Rows applied by the last flush.", { Double($0.lastFlushRows) }),
            ("tsuna_cache_last_flush_seconds", .gauge, "Duration of the last flush.", { $0.lastFlushDuration }),
            ("tsuna_cache_last_flush_timestamp_seconds", .gauge, "When the last successful flush ended (absent before the first).",
             { $0.lastFlushAt?.timeIntervalSince1970 }),
            ("tsuna_cache_flush_failures_total", .counter, "Flushes that failed and were retried.", { Double($0.flushFailures) }),
            ("tsuna_cache_last_snapshot_seconds", .gauge, "Duration of the last snapshot.", { $0.lastSnapshotDuration }),
            ("tsuna_cache_last_snapshot_timestamp_seconds", .gauge,
             "When the last successful snapshot ended (absent before the first).", { $0.lastSnapshotAt?.timeIntervalSince1970 }),
            ("tsuna_cache_snapshot_failures_total", .counter, "Snapshots that failed.", { Double($0.snapshotFailures) }),
        ]
        for (name, kind, help, value) in families {
            out.family(name, kind, help)
            for s in stats {
                if let v = value(s) { out.sample(name, [("cache", s.name)], v) }
            }
        }
    }

    private func mail(into out: inout MetricsText) {
        let depth = (try? services.store.read { try Outbox.pendingCount($0) }) ?? -1
        out.single("tsuna_outbox_depth", .gauge, "Mail messages waiting to be sent.", [], Double(depth))
        let counts = mailSender.counts
        out.single("tsuna_mail_sent_total", .counter, "Mail messages delivered since start.", [], Double(counts.sent))
        out.single("tsuna_mail_failed_total", .counter, "Delivery attempts that failed since start (each is retried).", [],
                   Double(counts.failedAttempts))
        out.single("tsuna_mail_given_up_total", .counter, "Messages given up on after their last attempt since start.", [],
                   Double(counts.givenUp))
    }

    private func storage(into out: inout MetricsText) {
        let pages = try? services.store.read { c in
            (try c.queryOne("PRAGMA page_count") { $0.int64(0) } ?? 0) * (try c.queryOne("PRAGMA page_size") { $0.int64(0) } ?? 0)
        }
        if let pages {
            let wal = DashboardPage.fileSize(services.store.path + "-wal")
            out.single("tsuna_database_bytes", .gauge, "Size of the SQLite database, its write-ahead log included.", [],
                       Double(pages + wal))
        }
        let media = services.mediaUsage.current(now: Clock.nowMicros())
        if let bytes = media.bytes {
            out.single("tsuna_media_bytes", .gauge, "Size of the media folder (measured in the background at most once a minute).",
                       [], Double(bytes))
            out.single("tsuna_media_files", .gauge, "Files in the media folder (same measure).", [], Double(media.files))
        }
    }
}
