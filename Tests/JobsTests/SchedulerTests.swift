import Platform
import XCTest
import Foundation
@testable import Jobs

final class SchedulerTests: XCTestCase {
    final class Lines: Sendable {
        let lines = Locked<[String]>([])
        func add(_ s: String) { lines.withLock { $0.append(s) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Waits (bounded) until `condition` holds; the bound is a safety net, not a timing assertion.
    func eventually(_ condition: () -> Bool) async {
        for _ in 0..<500 where !condition() { try? await Task.sleep(nanoseconds: 10_000_000) }
    }

    func testJobsRunRepeatedlyAndFailuresDoNotStopOthers() async {
        let lines = Lines()
        let scheduler = Scheduler(log: { lines.add($0) })
        let counter = Lines()
        scheduler.every(0.02, name: "good") { counter.add("good"); return "did it" }
        scheduler.every(0.02, name: "bad") { struct Boom: Error {}; throw Boom() }
        scheduler.start()
        await eventually { counter.all.count >= 3 && lines.all.filter { $0.contains("bad failed") }.count >= 2 }
        scheduler.stop()
        XCTAssertGreaterThanOrEqual(counter.all.count, 3, "the good job kept running")
        XCTAssertTrue(lines.all.contains { $0.hasPrefix("job good ok in") && $0.hasSuffix(": did it") })
        XCTAssertGreaterThanOrEqual(lines.all.filter { $0.hasPrefix("job bad failed: ") }.count, 2,
                                    "a failing job is logged and retried at its next tick")
    }

    func testRunNowLogsLikeATimedRun() async {
        let lines = Lines()
        let scheduler = Scheduler(log: { lines.add($0) })
        scheduler.every(3600, name: "hourly") { nil }
        await scheduler.run("hourly")
        XCTAssertEqual(lines.all.count, 1)
        XCTAssertTrue(lines.all[0].hasPrefix("job hourly ok in"))
    }
}
