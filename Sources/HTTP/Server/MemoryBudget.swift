import Synchronization

/// Bytes of request bodies held in memory across every connection, against a limit.
final class MemoryBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` from the budget; false (and nothing taken) when that would go over the limit.
    func reserve(_ bytes: Int) -> Bool {
        let total = used.wrappingAdd(bytes, ordering: .relaxed).newValue
        if total > limit {
            used.wrappingSubtract(bytes, ordering: .relaxed)
            return false
        }
        return true
    }

    func release(_ bytes: Int) {
        if bytes > 0 { used.wrappingSubtract(bytes, ordering: .relaxed) }
    }

    /// Bytes held now.
    var inUse: Int { used.load(ordering: .relaxed) }
}
