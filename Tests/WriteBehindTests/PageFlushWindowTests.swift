import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// A flush commits a batch, then tells the shard (an actor hop later). In between, the database already
/// holds the flushed values of entries still pending, whose recorded shadows are the old rows: offset
/// pages must read that batch's rows back rather than trust the shadows.
final class PageFlushWindowTests: XCTestCase {
    func testABatchCommittedButNotYetAnnouncedIsReadBack() throws {
        var rng = SeededRandom(seed: 31)
        let f = try Fixture()
        var model = PageModel<Sub>()
        var rows: [(owner: Int64, user: Int64, date: Int64)] = []
        for user in Int64(1)...200 {
            let date = Int64.random(in: 0..<50, using: &rng)
            rows.append((1, user, date))
            model.entries[user] = Sub(date: date)
        }
        try f.storeSubs(rows)
        var state = ShardState(table: SubsTable(), store: f.store, countedOwnerLimit: 100)
        // Replacements moving rows far, deletes, and new users, over the whole list (kept order: ≥ 64).
        for user in Int64(1)...150 where user % 2 == 0 {
            let value: Sub? = user % 3 == 0 ? nil : Sub(date: Int64.random(in: 0..<50, using: &rng))
            if let value { _ = try state.put(owner: 1, user: user, value: value) } else { _ = try state.remove(owner: 1, user: user) }
            model.entries[user] = value
        }
        for user in Int64(300)...340 {
            let value = Sub(date: Int64.random(in: 0..<50, using: &rng))
            _ = try state.put(owner: 1, user: user, value: value)
            model.entries[user] = value
        }
        try assertPages(&state, model, "before the flush")

        // The batch of users 20...120 commits; the shard has only been told it is starting.
        var batch: [(row: CommittedRow, value: Sub?)] = []
        for (slot, key) in state.index.keys.enumerated() where (20...120).contains(key.user) {
            let value = state.values[slot]
            batch.append((CommittedRow(owner: 1, user: key.user, slot: Int32(slot), sortKey: value?.sortKey), value))
        }
        let window = FlushWindow(first: EntryKey(owner: 1, user: 20), last: EntryKey(owner: 1, user: 120))
        state.flushBatchStarting(window)
        try f.store.writeSync { c in
            for (row, value) in batch {
                if let value { try SubsTable().upsert(c, owner: 1, user: row.user, value: value) } else {
                    try SubsTable().delete(c, owner: 1, user: row.user)
                }
            }
        }
        let order = try state.pageOrder(1)
        let hidden = try f.store.read { try state.hiddenRows($0, owner: 1, order: order) }
        XCTAssertFalse(hidden.gone.isEmpty && hidden.added.isEmpty, "the batch's rows were read back")
        try assertPages(&state, model, "committed, not yet announced")

        // Announced: the shadows are the flushed values; entries stay pending until the flush drops them.
        let pendingBefore = state.index.count
        state.flushBatchEnded(window, committed: batch.map(\.row))
        try assertPages(&state, model, "announced")
        XCTAssertEqual(state.index.count, pendingBefore)
    }

    /// Every offset page, and the pages after and before each entry's key.
    func assertPages(_ state: inout ShardState<SubsTable>, _ model: PageModel<Sub>, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = model.sorted
        func entries(_ rows: [(user: Int64, value: Sub)]) -> [PageEntry<Sub>] { rows.map { PageEntry(user: $0.user, value: $0.value) } }
        for offset in 0...expected.count {
            let page = entries(try state.page(owner: 1, limit: 7, offset: offset))
            XCTAssertEqual(page, Array(expected[offset..<min(expected.count, offset + 7)]), "\(label): offset \(offset)",
                           file: file, line: line)
        }
        for (i, e) in expected.enumerated() {
            let after = entries(try state.page(owner: 1, after: PageModel.key(e), limit: 5))
            XCTAssertEqual(after, Array(expected[(i + 1)..<min(expected.count, i + 6)]), "\(label): after \(i)", file: file, line: line)
            let before = entries(try state.page(owner: 1, before: PageModel.key(e), limit: 5))
            XCTAssertEqual(before, Array(expected[max(0, i - 5)..<i]), "\(label): before \(i)", file: file, line: line)
        }
    }
}
