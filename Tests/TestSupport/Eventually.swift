import Foundation

/// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held. The one bounded wait
/// of the tests: the bound is a safety net against a lost wake-up, never a timing assertion.
@discardableResult
public func eventually(timeout: Double = 20, every interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: interval)
    }
}
