import Foundation
import WriteBehind
import Synchronization

func now() -> ContinuousClock.Instant { ContinuousClock.now }

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Resident memory in bytes (/proc/self/statm).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// p50, p99 and max of latencies given in seconds.
func percentiles(_ samples: [Double]) -> String {
    guard !samples.isEmpty else { return "no samples" }
    let s = samples.sorted()
    func p(_ q: Double) -> Double { s[min(s.count - 1, Int(Double(s.count) * q))] * 1e6 }
    return String(format: "p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d reads)", p(0.5), p(0.99), s[s.count - 1] * 1e6, s.count)
}

/// `count` puts spread over `writerTasks` concurrent tasks; `key(i)` gives (owner, user, date).
func putAll(_ cache: WriteBehindCache<VotesTable>, count: Int,
            key: @escaping @Sendable (Int) -> (Int64, Int64, Int64)) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for t in 0..<writerTasks {
            group.addTask {
                var i = t
                while i < count {
                    let (owner, user, date) = key(i)
                    try await cache.put(owner: owner, user: user, value: Vote(choice: UInt8(i & 1), date: date))
                    i += writerTasks
                }
            }
        }
        try await group.waitForAll()
    }
}

/// Runs `work` while a task reads random keys (one every 200 µs); returns each read's latency.
func readLatencies(_ cache: WriteBehindCache<VotesTable>, during work: () async throws -> Void) async throws -> [Double] {
    let stop = StopFlag()
    let reader = Task {
        var latencies: [Double] = []
        var rng = SystemRandomNumberGenerator()
        while !stop.isSet {
            let i = Int.random(in: 0..<entries, using: &rng)
            let start = now()
            _ = try await cache.value(owner: Int64(i / usersPerOwner), user: Int64(i % usersPerOwner))
            latencies.append(seconds(since: start))
            try await Task.sleep(nanoseconds: 200_000)
        }
        return latencies
    }
    do {
        try await work()
    } catch {
        stop.set()
        _ = try? await reader.value
        throw error
    }
    stop.set()
    return try await reader.value
}

final class StopFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
