/// Bytes received over a sliding window of whole seconds, sampled about once a second (by the loop's
/// sweep): a body that brings fewer than `minimum` bytes over the window is too slow.
struct RateWindow {
    let minimum: Int
    /// The totals of the last samples, a ring; `next` is the oldest once the ring is full.
    private var samples: [Int]
    private var next = 0
    private var filled = 0

    init(minimum: Int, seconds: Double) {
        self.minimum = minimum
        samples = [Int](repeating: 0, count: max(1, Int(seconds.rounded(.up))))
    }

    /// Records `total` (bytes received so far); false when a whole window has passed and less than
    /// `minimum` arrived over it.
    mutating func record(total: Int) -> Bool {
        defer {
            samples[next] = total
            next = (next + 1) % samples.count
            filled = min(filled + 1, samples.count)
        }
        guard filled == samples.count else { return true }
        return total - samples[next] >= minimum
    }
}
