/// Case-insensitive, order-preserving header list. Names stored as sent; lookup ignores ASCII case.
public struct HTTPHeaders: Sequence, Sendable {
    public typealias Element = (name: String, value: String)

    struct Field: Sendable {
        var name: String
        var value: String
    }

    var fields: [Field]

    /// An empty header list.
    public init() { fields = [] }

    /// A header list holding `pairs` in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// An empty header list with room for `capacity` fields.
    init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// The first value of the field `name`, or nil.
    public subscript(name: String) -> String? {
        for field in fields where Self.namesMatch(field.name, name) { return field.value }
        return nil
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        var result: [String] = []
        for field in fields where Self.namesMatch(field.name, name) { result.append(field.value) }
        return result
    }

    /// True when at least one field is named `name`.
    public func contains(_ name: String) -> Bool {
        for field in fields where Self.namesMatch(field.name, name) { return true }
        return false
    }

    /// Appends a field, keeping any existing ones of that name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Sets the first field named `name` to `value` and removes the others; appends when absent.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { Self.namesMatch($0.name, name) }) else {
            add(name, value)
            return
        }
        fields[first].value = value
        var i = fields.count - 1
        while i > first {
            if Self.namesMatch(fields[i].name, name) { fields.remove(at: i) }
            i -= 1
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// The number of fields (a repeated name counts each time).
    public var count: Int { fields.count }

    /// True when there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Iterates (name, value) pairs in the order received or added.
    public func makeIterator() -> Iterator { Iterator(base: fields.makeIterator()) }

    /// Iterator over (name, value) pairs.
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Field]>
        public mutating func next() -> Element? {
            guard let field = base.next() else { return nil }
            return (name: field.name, value: field.value)
        }
    }

    /// ASCII case-insensitive equality of two header names.
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        var i = x.makeIterator(), j = y.makeIterator()
        while let p = i.next(), let q = j.next() {
            if p != q && ByteClass.lower(p) != ByteClass.lower(q) { return false }
        }
        return true
    }
}

extension HTTPHeaders: CustomStringConvertible {
    /// The fields as "Name: value" lines, for logs and test failures.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}
