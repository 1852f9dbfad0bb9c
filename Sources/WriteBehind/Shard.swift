/// One shard: an actor owning a `ShardState`, so the operations on the owners that hash to it run one at a
/// time. Each method runs to completion without suspending (atomic) and touches the state once.
actor Shard<Table: WriteBehindTable> {
    typealias Value = Table.Value

    private var state: ShardState<Table>

    init(state: ShardState<Table>) {
        self.state = state
    }

    // MARK: - Reads

    func value(owner: Int64, user: Int64) throws -> Value? { try state.value(owner: owner, user: user) }
    func counts(owner: Int64) throws -> [Int] { try state.counts(owner: owner) }
    func count(owner: Int64) throws -> Int { try state.count(owner: owner) }
    func page(owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)] {
        try state.page(owner: owner, limit: limit, offset: offset)
    }
    func page(owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        try state.page(owner: owner, after: key, limit: limit)
    }
    func page(owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        try state.page(owner: owner, before: key, limit: limit)
    }
    func sizes() -> (pending: Int, countedOwners: Int) { state.sizes() }

    // MARK: - Writes

    func insertIfAbsent(owner: Int64, user: Int64, value: Value) throws -> Bool {
        try state.insertIfAbsent(owner: owner, user: user, value: value)
    }
    func put(owner: Int64, user: Int64, value: Value) throws -> Value? {
        try state.put(owner: owner, user: user, value: value)
    }
    func remove(owner: Int64, user: Int64) throws -> Value? { try state.remove(owner: owner, user: user) }
    func forgetOwner(_ owner: Int64) { state.forgetOwner(owner) }
    func forgetUser(_ user: Int64) { state.forgetUser(user) }
    func close() { state.close() }

    // MARK: - Flush and snapshot

    func pendingImage() -> PendingImage<Value> { state.pendingImage() }
    func snapshotImage() -> PendingImage<Value>? { state.snapshotImage() }
    func snapshotSaved(generation: UInt64, seq: UInt64) { state.snapshotSaved(generation: generation, seq: seq) }
    func durability() -> (pending: Int, unsnapshotted: Int) { state.durability() }
    func flushBatchStarting(_ window: FlushWindow) { state.flushBatchStarting(window) }
    func flushBatchEnded(_ window: FlushWindow, committed rows: [CommittedRow]) {
        state.flushBatchEnded(window, committed: rows)
    }
    func dropFlushed(_ image: PendingImage<Value>, refusedOwners: [Int64]) {
        state.dropFlushed(image, refusedOwners: refusedOwners)
    }
    func dropFlushed(_ applied: [PendingWrite<Value>], refused: [PendingWrite<Value>]) {
        state.dropFlushed(applied, refused: refused)
    }
}
