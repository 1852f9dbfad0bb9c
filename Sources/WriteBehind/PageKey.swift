/// Where an entry sits in its owner's page order: (sortKey, user), compared in that order. A page asked
/// for by position starts strictly after (or ends strictly before) one of these.
public struct PageKey: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var sortKey: Int64
    public var user: Int64

    public init(sortKey: Int64, user: Int64) {
        self.sortKey = sortKey
        self.user = user
    }

    @inline(__always) public static func < (a: PageKey, b: PageKey) -> Bool {
        a.sortKey < b.sortKey || (a.sortKey == b.sortKey && a.user < b.user)
    }

    /// The greatest key below this one, so that "strictly after `predecessor`" means "from this key on"
    /// (keys are integers); nil for the lowest key, from which on is from the start.
    var predecessor: PageKey? {
        if user > .min { return PageKey(sortKey: sortKey, user: user - 1) }
        if sortKey > .min { return PageKey(sortKey: sortKey - 1, user: .max) }
        return nil
    }

    public var description: String { "(\(sortKey), \(user))" }
}
