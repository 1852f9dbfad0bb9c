import FoundationEssentials
import Platform
import Dispatch

/// Periodic background jobs. Each job runs on the shared concurrency pool (never on an event loop), one run at
/// a time; every run is logged, and a failing run is logged and simply tried again at its next tick.
public final class Scheduler: Sendable {
    public typealias Job = @Sendable () async throws -> String?

    private struct Entry: Sendable {
        let name: String
        let interval: Double
        let job: Job
    }

    private struct State {
        var entries: [Entry] = []
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Locked(State())
    private let log: @Sendable (String) -> Void

    /// `log` receives one line per run ("job <name> ok in 3 ms: <summary>" / "job <name> failed: …").
    public init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
    }

    /// Registers `job` to run every `interval` seconds. The job may return a short summary for the log.
    public func every(_ interval: Double, name: String, _ job: @escaping Job) {
        state.withLock { $0.entries.append(Entry(name: name, interval: interval, job: job)) }
    }

    public var jobNames: [String] { state.withLock { $0.entries.map(\.name) } }

    /// Starts every registered job's timer.
    public func start() {
        let log = self.log
        state.withLock { s in
            for entry in s.entries {
                s.tasks.append(Task.detached(priority: .utility) {
                    while !Task.isCancelled {
                        try? await Task.sleep(nanoseconds: UInt64(entry.interval * 1_000_000_000))
                        if Task.isCancelled { break }
                        await Scheduler.runOnce(entry.name, entry.job, log: log)
                    }
                })
            }
        }
    }

    /// Runs one job now (tests, and the CLI), logging it like a timed run.
    public func run(_ name: String) async {
        guard let entry = state.withLock({ $0.entries.first { $0.name == name } }) else { return }
        await Scheduler.runOnce(entry.name, entry.job, log: log)
    }

    private static func runOnce(_ name: String, _ job: Job, log: @Sendable (String) -> Void) async {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let summary = try await job()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            log("job \(name) ok in \(CFormat.fixed(ms, digits: 1)) ms" + (summary.map { ": \($0)" } ?? ""))
        } catch {
            log("job \(name) failed: \(error); retrying at its next tick")
        }
    }

    /// Stops the timers; a run in progress finishes on its own.
    public func stop() {
        state.withLock { s in
            for t in s.tasks { t.cancel() }
            s.tasks = []
        }
    }
}
