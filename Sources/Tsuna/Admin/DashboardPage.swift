import Dispatch
import FoundationEssentials
import HTTP
import Mail
import Store
import Synchronization
import WriteBehind
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard (SPEC 13): counts of people and content, the write-behind caches, the outbox, storage sizes,
/// version and uptime. Every figure is an index count or a value held in memory; the media folder is measured in
/// the background, at most once a minute.
struct DashboardPage: Sendable {
    let services: Services
    let media: MediaUsage
    /// When the panel was set up, at the server's start.
    let startedAt = Clock.nowMicros()

    private struct Counts {
        let users: AccountsStore.Counts
        let premium, channels, comments, queued, failed: Int
        let contents: [ContentKind: Int]
        let databaseBytes: Int64
    }

    func show(_ ctx: PanelContext) async throws -> Response {
        let now = Clock.nowMicros()
        let counts = try ctx.read { c in
            Counts(users: try AccountsStore.counts(c), premium: try MembershipsStore.premiumCount(now: now, c),
                   channels: try ChannelsStore.count(c), comments: try CommentsStore.count(c),
                   queued: try Outbox.pendingCount(c), failed: try Outbox.failedCount(c),
                   contents: try ContentsStore.counts(c),
                   databaseBytes: (try c.queryOne("PRAGMA page_count") { $0.int64(0) } ?? 0)
                       * (try c.queryOne("PRAGMA page_size") { $0.int64(0) } ?? 0))
        }
        var caches: [CacheStats] = []
        for cache in services.caches { caches.append(await cache.stats()) }
        let wal = DashboardPage.fileSize(services.store.path + "-wal")
        let mediaNow = media.current(now: now)

        func card(_ value: Int, _ label: String, _ href: String? = nil) -> Markup {
            let number: Markup = href.map { Tags.link($0, String(value)) } ?? "\(value)"
            return "<div class=\"card\"><b>\(number)</b><span>\(label)</span></div>"
        }
        let u = counts.users
        let mediaText: Markup = mediaNow.bytes.map {
            "\(Tags.bytes($0)) in \(mediaNow.files) files <span class=\"muted\">(measured \(Tags.duration(Double(now - mediaNow.measuredAt) / 1e6)) ago)</span>"
        } ?? "<span class=\"muted\">being measured…</span>"
        let cacheRows = caches.map { s -> [Markup] in
            ["\(s.name)", "\(s.pendingEntries)",
             "\(s.lastFlushRows) rows in \(Tags.duration(s.lastFlushDuration))",
             s.flushFailures == 0 ? "0" : "\(Tags.badge(String(s.flushFailures), "bad")) \(s.lastFlushError ?? "")",
             "\(s.lastSnapshotEntries) entries, \(Tags.bytes(Int64(s.lastSnapshotBytes))) in \(Tags.duration(s.lastSnapshotDuration))"]
        }
        let body: Markup = """
        <h2>People</h2>
        <div class="cards">\(card(u.total, "users", "/admin/users/"))\(card(u.active, "active"))\
        \(card(u.unverified, "unverified"))\(card(u.deactivated, "deactivated"))\(card(u.administrators, "administrators"))\
        \(card(counts.premium, "premium"))</div>
        <h2>Content</h2>
        <div class="cards">\(card(counts.channels, "channels", "/admin/channels/"))\
        \(card(counts.contents[.video] ?? 0, "videos", "/admin/contents/?kind=video"))\
        \(card(counts.contents[.music] ?? 0, "musics", "/admin/contents/?kind=music"))\
        \(card(counts.comments, "comments", "/admin/comments/"))</div>
        <h2>Mail</h2>
        <div class="cards">\(card(counts.queued, "queued", "/admin/mail/?status=queued"))\
        \(card(counts.failed, "failed", "/admin/mail/?status=failed"))</div>
        <h2>Write-behind caches</h2>
        <p class="muted">Writes acknowledged from memory and not yet in SQLite, and the last flush and snapshot \
        (their durations; the caches keep no timestamps).</p>
        \(Tags.table(["Cache", "Pending", "Last flush", "Flush failures", "Last snapshot"], cacheRows))
        <h2>Server</h2>
        \(Tags.facts([
            ("Database", "\(Tags.bytes(counts.databaseBytes + wal)) (write-ahead log \(Tags.bytes(wal)))"),
            ("Media", mediaText),
            ("Version", "\(TsunaVersion.string)"),
            ("Up for", "\(Tags.duration(Double(now - startedAt) / 1e6)) (since \(Tags.date(startedAt)))"),
        ]))
        """
        return ctx.page("Dashboard", .dashboard, body)
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
