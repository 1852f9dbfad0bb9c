import Platform

/// Open connections per client address, across loops, against `maxConnectionsPerAddress`.
final class AddressCounts: Sendable {
    let limit: Int
    private let counts = Locked<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection for `address`; false (nothing counted) when it already has `limit`.
    func acquire(_ address: String) -> Bool {
        counts.withLock { counts in
            let now = counts[address, default: 0]
            guard now < limit else { return false }
            counts[address] = now + 1
            return true
        }
    }

    func release(_ address: String) {
        counts.withLock { counts in
            let left = (counts[address] ?? 1) - 1
            counts[address] = left > 0 ? left : nil
        }
    }
}
