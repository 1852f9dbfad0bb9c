/// A JSON object: members in document order. Duplicate keys are kept; lookup returns the last one.
public struct JSONObject: Sendable, Equatable {
    /// The members as written, duplicates included.
    public var members: [(key: String, value: JSONValue)]

    /// An object with the given members, in order.
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the last member named `key`; setting replaces that member or appends a new one,
    /// and setting nil removes every member with that key.
    public subscript(key: String) -> JSONValue? {
        get {
            // Backwards so that the last duplicate wins, as in Python's json module.
            var index = members.count
            while index > 0 {
                index -= 1
                if members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.lastIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// The member keys in document order (a duplicated key appears as often as it was written).
    public var keys: [String] { members.map(\.key) }

    /// The number of members, duplicates included.
    public var count: Int { members.count }

    /// True when the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// True when some member is named `key`.
    public func contains(_ key: String) -> Bool {
        members.contains { $0.key == key }
    }

    /// Member-wise equality in order (the order of the text matters, as it does for re-encoding).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (l, r) in zip(lhs.members, rhs.members) where l.key != r.key || l.value != r.value {
            return false
        }
        return true
    }
}
