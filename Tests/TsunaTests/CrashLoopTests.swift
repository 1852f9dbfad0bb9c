import Platform
import XCTest
import Foundation
import Synchronization
import Store
import TestSupport

/// SPEC section 10 under faults: the real server under mixed concurrent writes is killed at random moments
/// (`kill -9`) or stopped (SIGTERM) and restarted on the same folder. After `kill -9` only writes acknowledged
/// within the last snapshot interval may be missing; after SIGTERM nothing. Nothing is duplicated, counts agree
/// with the stored rows, and the database passes `PRAGMA integrity_check`.
///
/// 5 cycles each by default; `TSUNA_CRASH_CYCLES=50 swift test --filter CrashLoopTests` runs more.
final class CrashLoopTests: XCTestCase {
    static var cycles: Int { Int(ProcessInfo.processInfo.environment["TSUNA_CRASH_CYCLES"] ?? "") ?? 5 }
    /// The snapshot interval the servers run with, and the slack a loaded machine needs to write a snapshot.
    static let snapshotInterval = 0.5
    static let snapshotSlack = 1.0

    func testKill9LosesAtMostTheLastSnapshotInterval() throws {
        try run(graceful: false)
    }

    func testSIGTERMLosesNothing() throws {
        try run(graceful: true)
    }

    func run(graceful: Bool) throws {
        let env = ["TSUNA_FLUSH_INTERVAL_SECONDS": "1", "TSUNA_SNAPSHOT_INTERVAL_SECONDS": String(Self.snapshotInterval),
                   "TSUNA_THROTTLE_VIDEO": "off", "TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS": "0"]
        let f = try ContentFixture(environment: env)
        let items = try (0..<3).map { _ in try f.item() }
        let users = try (0..<5).map { try f.server.makeUser("fan\($0)@example.com", firstName: "Fan\($0)", lastName: "") }
        let world = World(channel: f.channel, items: items, owner: f.owner, users: users)
        let ledger = Ledger()
        var server = f.server
        var servers = [server]   // the first owns the data folder and removes it when it goes; keep every one to the end
        var rng = SeededRandom(seed: graceful ? 7 : 11)
        var acknowledged = 0
        for cycle in 0..<Self.cycles {
            let stop = StopFlag()
            let port = server.port
            let workers = users.enumerated().map { i, user in
                Thread { CrashLoopTests.work(user: user, seed: UInt64(cycle * 100 + i), port: port, world: world,
                                             ledger: ledger, stop: stop) }
            }
            workers.forEach { $0.start() }
            // After kill -9, long enough that most writes are older than the window the check forgives.
            Thread.sleep(forTimeInterval: graceful ? 0.5 + Double(rng.next() % 700) / 1000 : 2 + Double(rng.next() % 1000) / 1000)
            let killedAt = ContinuousClock.now
            if graceful {
                XCTAssertEqual(server.stop(), 0, "cycle \(cycle): a clean stop exits 0")
            } else {
                server.kill()
            }
            stop.raise()
            while workers.contains(where: { $0.isExecuting }) { Thread.sleep(forTimeInterval: 0.01) }
            let next = try TestServer(environment: env, dataDirectory: server.dataDirectory)
            server = next
            servers.append(next)
            let window = graceful ? Duration.zero : Duration.seconds(Self.snapshotInterval + Self.snapshotSlack)
            acknowledged += try verify(world, ledger, server: server, lostWindowStart: killedAt - window, cycle: cycle)
        }
        XCTAssertGreaterThan(acknowledged, Self.cycles * 10, "the load did write")
        servers.removeAll()
        print("crash loop (\(graceful ? "SIGTERM" : "kill -9")): \(Self.cycles) cycles, \(acknowledged) writes acknowledged")
    }

    /// Every key's state must be one its history allows; returns how many acknowledged writes were checked.
    func verify(_ world: World, _ ledger: Ledger, server: TestServer, lostWindowStart: ContinuousClock.Instant,
                cycle: Int) throws -> Int {
        let c = try server.client()
        let histories = ledger.snapshot()
        var checked = 0
        for (key, history) in histories {
            let actual = try state(of: key, world: world, c)
            let allowed = history.allowedStates(lostWindowStart: lostWindowStart)
            checked += history.entries.filter { !$0.isBaseline && ($0.acknowledged.map { $0 < lostWindowStart } ?? false) }.count
            XCTAssertTrue(allowed.contains(actual), "cycle \(cycle) \(key): \(actual) not in \(allowed) — \(history.entries.map(\.state))")
            ledger.reset(key, to: actual)
        }
        // Counts agree with rows: the cached count now, and the stored rows once a flush has run.
        let subscribers = try c.json("GET", "/channels/v1/\(world.channel)/", token: world.owner.access).object["subscribers_count"] as? Int
        let listed = try world.users.filter { try state(of: Key.subscription($0.token).text, world: world, c) == "yes" }.count + 1
        XCTAssertEqual(subscribers, listed, "cycle \(cycle): subscribers_count")
        let db = server.dataDirectory + "/tsuna.sqlite"
        let deadline = Date().addingTimeInterval(15)
        var stored = -1
        while Date() < deadline {
            let conn = try Connection(path: db, readOnly: true)
            stored = try conn.queryOne("SELECT count(*) FROM channel_subscribers", [] as [SQLValue]) { $0.int(0) } ?? -1
            conn.close()
            if stored == subscribers { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertEqual(stored, subscribers, "cycle \(cycle): stored subscriptions after a flush")
        let conn = try Connection(path: db, readOnly: true)
        defer { conn.close() }
        XCTAssertEqual(try conn.queryOne("PRAGMA integrity_check", [] as [SQLValue]) { $0.string(0) }, "ok")
        return checked
    }

    func state(of key: String, world: World, _ c: RawClient) throws -> String {
        let parts = key.split(separator: "|").map(String.init)
        guard let user = world.users.first(where: { $0.token == parts[1] }) else { return "?" }
        switch parts[0] {
        case "sub":
            let r = try c.json("GET", "/channel_subscribers/v1/\(world.channel)/", token: user.access)
            return r.text == "true" ? "yes" : "no"
        case "vote":
            let r = try c.json("GET", "/votes/v1/video/\(parts[2])/", token: user.access)
            return (r.object["choice"] as? String) ?? "none"
        case "comment":
            let r = try c.json("GET", "/comments/v1/video/\(parts[2])/\(parts[3])/", token: user.access)
            return r.status == 200 ? "yes" : "no"
        default:
            return "?"
        }
    }

    /// One user's random writes until `stop`: each recorded before it is sent and stamped when acknowledged.
    static func work(user: TestUser, seed: UInt64, port: Int, world: World, ledger: Ledger, stop: StopFlag) {
        var rng = SeededRandom(seed: seed)
        guard let c = try? RawClient(port: port, timeout: 5) else { return }
        while !stop.isRaised {
            let item = world.items[Int(rng.next() % UInt64(world.items.count))]
            switch rng.next() % 4 {
            case 0:
                let key = Key.subscription(user.token).text
                let subscribed = ledger.current(key) == "yes"
                let entry = ledger.begin(key, state: subscribed ? "no" : "yes")
                let r = subscribed
                    ? try? c.json("DELETE", "/channel_subscribers/v1/\(world.channel)/delete/", token: user.access)
                    : try? c.json("POST", "/channel_subscribers/v1/\(world.channel)/create/", token: user.access)
                guard let r else { return }
                if r.status == 201 || r.status == 204 { ledger.acknowledge(key, entry) } else { ledger.abandon(key, entry) }
            case 1:
                let key = Key.vote(user.token, item).text
                let current = ledger.current(key) ?? "none"
                let choice = rng.next() % 2 == 0 ? "u" : "d"
                let entry = ledger.begin(key, state: current == "none" ? choice : "none")
                let r = current == "none"
                    ? try? c.json("POST", "/votes/v1/video/\(item)/create/", ["choice": choice], token: user.access)
                    : try? c.json("DELETE", "/votes/v1/video/\(item)/delete/", token: user.access)
                guard let r else { return }
                if r.status == 201 || r.status == 204 { ledger.acknowledge(key, entry) } else { ledger.abandon(key, entry) }
            case 2:
                guard (try? c.json("GET", "/videos/v1/\(world.channel)/\(item)/", token: user.access)) != nil else { return }
            default:
                guard let r = try? c.json("POST", "/comments/v1/video/\(item)/", ["body": "crash-loop"], token: user.access) else { return }
                if r.status == 201, let token = r.object["token"] as? String {
                    let key = Key.comment(user.token, item, token).text
                    // Comments are written to SQLite before the answer: acknowledged means durable.
                    ledger.record(key, durable: "yes")
                }
            }
        }
    }

    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var isRaised: Bool { flag.load(ordering: .relaxed) }
        func raise() { flag.store(true, ordering: .relaxed) }
    }

    struct World: Sendable {
        let channel: String
        let items: [String]
        let owner: TestUser
        let users: [TestUser]
    }

    enum Key {
        case subscription(String)
        case vote(String, String)
        case comment(String, String, String)
        var text: String {
            switch self {
            case .subscription(let u): return "sub|\(u)"
            case .vote(let u, let item): return "vote|\(u)|\(item)"
            case .comment(let u, let item, let token): return "comment|\(u)|\(item)|\(token)"
            }
        }
    }

    /// Each key's writes in order: the state each leaves behind and when it was acknowledged (nil: in flight).
    final class Ledger: Sendable {
        struct Entry {
            let state: String
            var acknowledged: ContinuousClock.Instant?
            /// The state found at the start (or after the last restart), not a write of this cycle.
            var isBaseline = false
        }
        struct History {
            var entries: [Entry]
            /// The state after the last write acknowledged before the window, or after any later write (which
            /// may or may not have survived); the initial state when nothing was acknowledged before the window.
            func allowedStates(lostWindowStart: ContinuousClock.Instant) -> Set<String> {
                let durable = entries.lastIndex { $0.acknowledged.map { $0 < lostWindowStart } ?? false } ?? 0
                return Set(entries[durable...].map(\.state))
            }
        }
        private let histories = Locked<[String: History]>([:])

        func current(_ key: String) -> String? { histories.withLock { $0[key]?.entries.last?.state } }

        func begin(_ key: String, state: String) -> Int {
            histories.withLock { h in
                var history = h[key] ?? History(entries: [Entry(state: key.hasPrefix("vote") ? "none" : "no",
                                                                acknowledged: .now - .seconds(3600), isBaseline: true)])
                history.entries.append(Entry(state: state, acknowledged: nil))
                h[key] = history
                return history.entries.count - 1
            }
        }

        func acknowledge(_ key: String, _ index: Int) {
            histories.withLock { $0[key]?.entries[index].acknowledged = .now }
        }

        /// A refused write changed nothing.
        func abandon(_ key: String, _ index: Int) {
            histories.withLock { _ = $0[key]?.entries.remove(at: index) }
        }

        /// The state found after a restart.
        func reset(_ key: String, to state: String) {
            histories.withLock { $0[key] = History(entries: [Entry(state: state, acknowledged: .now - .seconds(3600), isBaseline: true)]) }
        }

        /// A write that is durable once acknowledged (a comment: in SQLite before the answer).
        func record(_ key: String, durable state: String) {
            histories.withLock { $0[key] = History(entries: [Entry(state: state, acknowledged: .now)]) }
        }

        func snapshot() -> [String: History] { histories.withLock { $0 } }
    }
}
