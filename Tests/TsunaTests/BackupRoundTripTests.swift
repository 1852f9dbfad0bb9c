import Platform
import XCTest
import Foundation
import TestSupport

/// `tsuna backup` against a real server taking writes, then `tsuna restore` into a new folder and a server on it
/// (SPEC 12 "full backup", "restore"): every write acknowledged before the backup began is there — the
/// write-behind ones still pending in the server included — media byte for byte, tokens still valid.
final class BackupRoundTripTests: XCTestCase {
    /// Snapshots every 30 s and no flush: what was acknowledged shortly before the backup is only in the
    /// server's memory, so only the snapshot the backup asks for can carry it.
    func testPendingWritesAcknowledgedBeforeTheBackupAreRestored() throws {
        try roundTrip(["TSUNA_SNAPSHOT_INTERVAL_SECONDS": "30", "TSUNA_FLUSH_INTERVAL_SECONDS": "3600"], expectSnapshots: true)
    }

    /// Snapshots and flushes several times a second: flushes land between the copy of the snapshots and the
    /// copy of the database, which must neither lose nor double anything.
    func testWritesFlushedWhileTheBackupRunsAreRestoredOnce() throws {
        try roundTrip(["TSUNA_SNAPSHOT_INTERVAL_SECONDS": "0.2", "TSUNA_FLUSH_INTERVAL_SECONDS": "0.3"], expectSnapshots: false)
    }

    func roundTrip(_ environment: [String: String], expectSnapshots: Bool) throws {
        let f = try ContentFixture(environment: environment)
        let c = f.c
        // A second channel, five items with their own bytes, a profile picture.
        let second = try c.json("POST", "/channels/v1/", ["title": "Music"], token: f.owner.access).object["token"] as? String
        let channels = [f.channel, try XCTUnwrap(second)]
        var itemFiles: [String: [UInt8]] = [:]
        for i in 0..<5 {
            let bytes = ContentFixture.mp4 + (0..<(40_000 + i * 777)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            let r = try f.upload(fields: ["visibility": "pu", "title": "Clip \(i)"], file: bytes)
            itemFiles[try XCTUnwrap(r.object["token"] as? String, r.text)] = bytes
        }
        let items = itemFiles.keys.sorted()
        let picture = ContentFixture.png + (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let (type, body) = ContentFixture.multipart(["first_name": "Olga"], files: [("picture", "p.png", picture)])
        let profile = try c.request("PATCH", "/accounts/v1/\(f.owner.token)/", headers: [
            "Authorization": "Bearer \(f.owner.access)", "Content-Type": type], body: body)
        let pictureURL = try XCTUnwrap(profile.object["picture"] as? String, profile.text)
        let fans = try (0..<16).map { try f.server.makeUser("fan\($0)@example.com") }

        // Writers: each owns four fans, so the writes to one key are ordered; paced to span the backup.
        let workers = (0..<4).map { (w: Int) -> WriteLoad in
            WriteLoad(port: f.server.port, fans: Array(fans[(w * 4)..<(w * 4 + 4)]), channels: channels, items: items,
                      itemChannel: f.channel, seed: UInt64(w + 1))
        }
        let group = DispatchGroup()
        // Each runs its plan at least once and goes on until the backup has ended, however long that takes.
        let backupEnded = Flag()
        for worker in workers { DispatchQueue.global().async(group: group) { worker.run(pace: 0.012, until: backupEnded.isSet) } }
        Thread.sleep(forTimeInterval: 1.0)
        let began = DispatchTime.now().uptimeNanoseconds
        let target = f.server.dataDirectory + "-backup.tar"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let backup = try f.server.runCommand(["backup", target])
        let endedAt = DispatchTime.now().uptimeNanoseconds
        backupEnded.set()
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(backup.status, 0, backup.err)
        let writes: [WriteLoad.Write] = workers.flatMap { $0.log }
        let before = writes.filter { $0.ackedAt < began }
        XCTAssertGreaterThan(before.count, 50, "writes were acknowledged before the backup")
        XCTAssertTrue(writes.contains { $0.sentAt > began && $0.sentAt < endedAt } || writes.contains { $0.ackedAt > endedAt },
                      "writes went on while the backup ran")
        if expectSnapshots { XCTAssertFalse(backup.out.contains(" 0 snapshot files"), backup.out) }

        let restored = TestServer.makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: restored) }
        let restore = try TestServer.run(["restore", target], environment: f.server.environment.merging(["TSUNA_DATA_DIR": restored]) { $1 })
        XCTAssertEqual(restore.status, 0, restore.err)
        let server = try TestServer(environment: environment, dataDirectory: restored)
        let r = try server.client()

        // Tokens issued before the backup are valid; the media are the same bytes.
        XCTAssertEqual(try r.json("GET", "/accounts/v1/me/", token: f.owner.access).status, 200)
        XCTAssertEqual(try r.request("GET", try XCTUnwrap(URL(string: pictureURL)?.path)).body, picture)
        for (item, bytes) in itemFiles {
            let detail = try r.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: f.owner.access)
            XCTAssertEqual(detail.status, 200, detail.text)
            let path = try XCTUnwrap(URL(string: detail.object["file"] as? String ?? "")?.path)
            XCTAssertEqual(try r.request("GET", path).body, bytes, "media of \(item)")
            let ranged = try r.request("GET", path, headers: ["Range": "bytes=1000-1999"])
            XCTAssertEqual(ranged.status, 206)
            XCTAssertEqual(ranged.body, Array(bytes[1000...1999]))
        }

        // Every write acknowledged before the backup began; later ones may or may not be there.
        let final = WriteLoad.finalAcknowledged(before, all: writes)
        XCTAssertGreaterThan(final.count, 0)
        for (key, expected) in final {
            let fan = fans.first { $0.token == key.fan }!
            switch key.kind {
            case .subscription:
                let got = try r.json("GET", "/channel_subscribers/v1/\(key.target)/", token: fan.access).text
                XCTAssertEqual(got, expected == nil ? "false" : "true", "subscription of \(fan.email) to \(key.target)")
            case .vote:
                let got = try r.json("GET", "/votes/v1/video/\(key.target)/", token: fan.access)
                XCTAssertEqual(got.object["choice"] as? String, expected, "vote of \(fan.email) on \(key.target): \(got.text)")
            case .view:
                let list = try r.json("GET", "/viewers/v1/video/\(key.target)/list/?limit=100", token: f.owner.access)
                let rows = list.object["results"] as? [[String: Any]] ?? []
                let viewers: [String] = rows.compactMap { $0["user_token"] as? String }
                XCTAssertTrue(viewers.contains(fan.token), "view of \(fan.email) on \(key.target)")
                XCTAssertEqual(viewers.count, Set(viewers).count, "no view twice")
            }
        }
        XCTAssertEqual(server.stop(), 0)
    }
}

/// One writer thread's work: subscriptions, votes and views by its fans, some undone later, each logged with
/// when it was sent and when its acknowledgement arrived.
final class WriteLoad: @unchecked Sendable {
    enum Kind: Hashable { case subscription, vote, view }
    struct Key: Hashable { let kind: Kind; let fan: String; let target: String }
    struct Write {
        let key: Key
        /// The value after this write: the vote's choice, "yes" for a subscription or a view, nil when undone.
        let value: String?
        let sentAt: UInt64
        let ackedAt: UInt64
    }

    let port: Int
    let itemChannel: String
    let plan: [(Key, String?, TestUser)]
    private(set) var log: [Write] = []

    init(port: Int, fans: [TestUser], channels: [String], items: [String], itemChannel: String, seed: UInt64) {
        self.port = port
        self.itemChannel = itemChannel
        var random = SeededRandom(seed: seed)
        var plan: [(Key, String?, TestUser)] = []
        for fan in fans {
            for channel in channels { plan.append((Key(kind: .subscription, fan: fan.token, target: channel), "yes", fan)) }
            for item in items {
                plan.append((Key(kind: .vote, fan: fan.token, target: item), random.next() % 2 == 0 ? "u" : "d", fan))
                plan.append((Key(kind: .view, fan: fan.token, target: item), "yes", fan))
            }
        }
        plan.shuffle(using: &random)
        // A fifth of the subscriptions and votes are undone later on.
        let undo = plan.filter { $0.0.kind != .view && random.next() % 5 == 0 }.map { ($0.0, nil as String?, $0.2) }
        for u in undo {
            let created = plan.firstIndex { $0.0 == u.0 }!
            plan.insert(u, at: Int.random(in: (created + 1)...plan.count, using: &random))
        }
        self.plan = plan
    }

    /// Sends the plan, then sends it again from the start until `done()` says so (at least once in all).
    func run(pace: Double, until done: () -> Bool) {
        guard let client = try? RawClient(port: port) else { return }
        var step = 0
        while step < plan.count || !done() {
            let (key, value, fan) = plan[step % plan.count]
            step += 1
            let sent = DispatchTime.now().uptimeNanoseconds
            let status: Int?
            switch (key.kind, value) {
            case (.subscription, .some): status = try? client.json("POST", "/channel_subscribers/v1/\(key.target)/create/", token: fan.access).status
            case (.subscription, nil): status = try? client.json("DELETE", "/channel_subscribers/v1/\(key.target)/delete/", token: fan.access).status
            case (.vote, .some(let choice)): status = try? client.json("POST", "/votes/v1/video/\(key.target)/create/", ["choice": choice], token: fan.access).status
            case (.vote, nil): status = try? client.json("DELETE", "/votes/v1/video/\(key.target)/delete/", token: fan.access).status
            case (.view, _): status = try? client.json("GET", "/videos/v1/\(itemChannel)/\(key.target)/", token: fan.access).status
            }
            let acked = DispatchTime.now().uptimeNanoseconds
            if let status, status == 200 || status == 201 || status == 204 {
                log.append(Write(key: key, value: value, sentAt: sent, ackedAt: acked))
            }
            Thread.sleep(forTimeInterval: pace)
        }
    }

    /// Per key, the value of its last write acknowledged before the backup — for the keys no later write
    /// (acknowledged after the backup began) may have changed.
    static func finalAcknowledged(_ before: [Write], all: [Write]) -> [(Key, String?)] {
        var last: [Key: Write] = [:]
        for w in before where (last[w.key]?.ackedAt ?? 0) < w.ackedAt { last[w.key] = w }
        let changedLater = Set(all.filter { w in w.ackedAt > (last[w.key]?.ackedAt ?? .max) }.map(\.key))
        return last.filter { !changedLater.contains($0.key) }.map { ($0.key, $0.value.value) }
    }
}

/// A flag one thread sets and others read.
final class Flag: Sendable {
    private let value = Locked(false)
    func set() { value.withLock { $0 = true } }
    func isSet() -> Bool { value.withLock { $0 } }
}
