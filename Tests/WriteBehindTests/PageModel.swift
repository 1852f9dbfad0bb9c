import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// An entry as pages return it, comparable.
struct PageEntry<V: Equatable>: Equatable, CustomStringConvertible {
    var user: Int64
    var value: V
    var description: String { "\(user):\(value)" }
}

/// The merged view of one owner as a reference: user → value, listed in (sortKey, user) order.
struct PageModel<V: WriteBehindValue> {
    var entries: [Int64: V] = [:]

    var sorted: [PageEntry<V>] {
        entries.map { PageEntry(user: $0.key, value: $0.value) }.sorted { Self.key($0) < Self.key($1) }
    }

    static func key(_ e: PageEntry<V>) -> PageKey { PageKey(sortKey: e.value.sortKey, user: e.user) }
}

/// Compares every kind of page of `owner` with the model: offset walks, `next` walks by key from page 1,
/// `previous` walks back from the end, offsets in the back half (read from the end), and random offsets and keys. `full` adds the walks (slower).
func assertPagesMatch<T: WriteBehindTable>(_ cache: WriteBehindCache<T>, owner: Int64, _ model: PageModel<T.Value>,
                                           rng: inout SeededRandom, full: Bool = true, _ label: String,
                                           file: StaticString = #filePath, line: UInt = #line) async throws {
    let expected = model.sorted
    func entries(_ rows: [(user: Int64, value: T.Value)]) -> [PageEntry<T.Value>] {
        rows.map { PageEntry(user: $0.user, value: $0.value) }
    }
    func slice(_ from: Int, _ limit: Int) -> [PageEntry<T.Value>] {
        from >= expected.count ? [] : Array(expected[from..<min(expected.count, from + limit)])
    }
    let count = try await cache.count(owner: owner)
    XCTAssertEqual(count, expected.count, "\(label): count", file: file, line: line)
    if full {
        let limit = Int.random(in: 3...25, using: &rng)
        var offset = 0
        while offset <= expected.count {
            let page = entries(try await cache.page(owner: owner, limit: limit, offset: offset))
            XCTAssertEqual(page, slice(offset, limit), "\(label): offset \(offset) limit \(limit)", file: file, line: line)
            offset += limit
        }
        // Forward by position, as `next` links go.
        var walked = entries(try await cache.page(owner: owner, limit: limit, offset: 0))
        while let last = walked.last {
            let page = entries(try await cache.page(owner: owner, after: PageModel.key(last), limit: limit))
            let at = walked.count
            XCTAssertEqual(page, slice(at, limit), "\(label): after \(PageModel.key(last))", file: file, line: line)
            if page.isEmpty || at > expected.count { break }
            walked += page
        }
        XCTAssertEqual(walked, expected, "\(label): the next walk", file: file, line: line)
        // Backward by position from past the end, as `previous` links go.
        var back: [PageEntry<T.Value>] = []
        var end = PageKey(sortKey: .max, user: .max)
        while true {
            let page = entries(try await cache.page(owner: owner, before: end, limit: limit))
            let stop = expected.count - back.count
            XCTAssertEqual(page, Array(expected[max(0, stop - limit)..<max(0, stop)]), "\(label): before \(end)",
                           file: file, line: line)
            guard let first = page.first, back.count < expected.count else { break }
            back = page + back
            end = PageModel.key(first)
        }
        XCTAssertEqual(back, expected, "\(label): the previous walk", file: file, line: line)
    }
    for _ in 0..<6 {
        let offset = Int.random(in: 0...(expected.count + 3), using: &rng)
        let limit = Int.random(in: 1...20, using: &rng)
        let page = entries(try await cache.page(owner: owner, limit: limit, offset: offset))
        XCTAssertEqual(page, slice(offset, limit), "\(label): offset \(offset) limit \(limit)", file: file, line: line)
    }
    // The back half, read from the end of the index: the last row, the last page, a page running past the end,
    // past the end, just past the middle, and anywhere in between.
    let n = expected.count
    let backLimit = Int.random(in: 1...20, using: &rng)
    let backOffsets = [n - 1, n - backLimit, n - backLimit + 1, n, n + 1, n / 2, n / 2 + 1,
                       Int.random(in: n / 2...n, using: &rng)]
    for offset in Set(backOffsets) where offset >= 0 {
        let page = entries(try await cache.page(owner: owner, limit: backLimit, offset: offset))
        XCTAssertEqual(page, slice(offset, backLimit), "\(label): back half, offset \(offset) of \(n) limit \(backLimit)",
                       file: file, line: line)
    }
    let lowSortKey = (expected.map(\.value.sortKey).min() ?? 0) - 1
    let highSortKey = (expected.map(\.value.sortKey).max() ?? 0) + 1
    for _ in 0..<6 {
        // A key of an entry, or anywhere (between entries, before all, after all).
        let key = !expected.isEmpty && Bool.random(using: &rng)
            ? PageModel.key(expected[Int.random(in: 0..<expected.count, using: &rng)])
            : PageKey(sortKey: Int64.random(in: lowSortKey...highSortKey, using: &rng), user: Int64.random(in: 0...1000, using: &rng))
        let limit = Int.random(in: 1...20, using: &rng)
        let after = entries(try await cache.page(owner: owner, after: key, limit: limit))
        let firstAfter = expected.firstIndex { key < PageModel.key($0) } ?? expected.count
        XCTAssertEqual(after, slice(firstAfter, limit), "\(label): after \(key) limit \(limit)", file: file, line: line)
        let before = entries(try await cache.page(owner: owner, before: key, limit: limit))
        let firstNotBefore = expected.firstIndex { !(PageModel.key($0) < key) } ?? expected.count
        XCTAssertEqual(before, Array(expected[max(0, firstNotBefore - limit)..<firstNotBefore]),
                       "\(label): before \(key) limit \(limit)", file: file, line: line)
    }
}
