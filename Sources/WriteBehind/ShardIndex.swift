/// The (owner, user) key of a pending entry.
struct EntryKey: Equatable, Sendable {
    var owner: Int64
    var user: Int64
}

/// An entry's neighbours in its owner's list (slot numbers, -1 for none).
struct OwnerLinks {
    var prev: Int32
    var next: Int32
}

/// What a shard knows about one owner: its pending entries and, once asked for, its merged counts.
struct OwnerInfo {
    /// First slot of the owner's pending entries, -1 when none.
    var head: Int32 = -1
    /// Pending entries (inserts, updates and deletes).
    var pending: Int32 = 0
    /// Pending entries that are inserts or updates.
    var pendingUpserts: Int32 = 0
    /// Position of the owner's counts in the count pool, -1 while not loaded.
    var countsAt: Int32 = -1
    /// Set on use, cleared by an eviction sweep (a one-bit clock).
    var recentlyUsed = true
}

/// The non-generic bookkeeping of one shard: pending keys in dense arrays (slot = array position), an
/// open-addressing hash index over them, a doubly linked list per owner, and per-owner counts.
///
/// The values live in the generic shard in an array parallel to `keys`; every operation that moves a
/// slot says so, and the shard mirrors the move. Dense arrays keep a pending entry near 60 bytes and
/// make snapshots and flushes a linear scan. Kept generic-free so it compiles to specialised code.
struct ShardIndex {
    /// Most entries one shard holds (a bucket stores slot + 1 in 24 bits).
    static let maxEntries = (1 << 24) - 2

    private(set) var keys: [EntryKey] = []
    /// Sequence number << 1 | 1 for an insert/update, | 0 for a delete.
    private(set) var stamps: [UInt64] = []
    private var links: [OwnerLinks] = []
    /// Linear probing, load kept at or under 3/4. A bucket holds 8 bits of the key's hash (a tag) and
    /// slot + 1 in the low 24 bits (0 = empty): probes compare the tag before touching `keys`, which
    /// saves a cache miss for 255 of 256 occupied buckets passed.
    private var buckets: [UInt32]
    private var mask: Int
    /// Per-process random seed, so bucket positions cannot be predicted from ids.
    private let seed: UInt64

    /// The owners with pending entries or loaded counts (ShardIndex+Counts.swift maintains the counts part).
    var owners: [Int64: OwnerInfo] = [:]
    /// Number of count buckets per owner.
    let categoryCount: Int
    /// Counts of the owners that have them, `categoryCount` numbers each.
    var countPool: [Int] = []
    var freeCountSlots: [Int32] = []
    /// Owners whose counts are loaded.
    var countedOwners = 0
    /// Bumped whenever slots move (a removal or a rebuild): while it is unchanged, slot i still holds the
    /// key it held before, which lets a flush drop its entries by slot number.
    private(set) var epoch: UInt64 = 0
    /// The count of counted owners at which the next eviction sweep runs (hysteresis).
    var evictionThreshold = 0

    init(categoryCount: Int) {
        self.categoryCount = max(1, categoryCount)
        seed = UInt64.random(in: .min ... .max)
        buckets = Array(repeating: 0, count: 16)
        mask = 15
    }

    /// Pending entries.
    var count: Int { keys.count }

    /// Slots the arrays can hold before they grow.
    var capacity: Int { keys.capacity }

    /// The capacity to grow to from `count`: 1.5× (2× wastes memory per entry, 1.25× costs too many
    /// copies and fresh-page faults while a shard fills).
    static func grownCapacity(_ count: Int) -> Int { count + count / 2 + 64 }

    // MARK: - Entries

    /// The sequence number of a slot.
    @inline(__always) func seq(_ slot: Int) -> UInt64 { ShardIndex.seq(ofStamp: stamps[slot]) }

    /// The sequence number in a stamp.
    @inline(__always) static func seq(ofStamp stamp: UInt64) -> UInt64 { stamp >> 1 }

    /// Whether a slot is a pending insert/update (else a pending delete).
    @inline(__always) func isUpsert(_ slot: Int) -> Bool { stamps[slot] & 1 == 1 }

    /// The slot of (owner, user), or -1.
    func find(_ owner: Int64, _ user: Int64) -> Int {
        let h = hash(owner, user)
        let tag = ShardIndex.tag(h)
        var b = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = buckets[b]
            if v == 0 { return -1 }
            if v & ShardIndex.tagMask == tag {
                let s = ShardIndex.slot(of: v)
                let k = keys[s]
                if k.owner == owner && k.user == user { return s }
            }
            b = (b &+ 1) & mask
        }
    }

    /// Appends a new entry (the key must be absent) and returns its slot.
    mutating func insert(_ owner: Int64, _ user: Int64, seq: UInt64, upsert: Bool) -> Int {
        let slot = keys.count
        if slot == keys.capacity { reserve(ShardIndex.grownCapacity(slot)) }
        keys.append(EntryKey(owner: owner, user: user))
        stamps.append(seq << 1 | (upsert ? 1 : 0))
        let head: Int32 = ShardIndex.link(&owners[owner, default: OwnerInfo()], slot: Int32(slot), upsert: upsert)
        links.append(OwnerLinks(prev: -1, next: head))
        if head >= 0 { links[Int(head)].prev = Int32(slot) }
        if keys.count * 4 > buckets.count * 3 {
            rehash(bucketCount: buckets.count * 2)
        } else {
            place(slot)
        }
        return slot
    }

    /// Makes `slot` the owner's head and counts it; returns the previous head.
    private static func link(_ info: inout OwnerInfo, slot: Int32, upsert: Bool) -> Int32 {
        let old = info.head
        info.head = slot
        info.pending += 1
        if upsert { info.pendingUpserts += 1 }
        info.recentlyUsed = true
        return old
    }

    /// Gives an existing slot a new sequence number and kind.
    mutating func update(_ slot: Int, seq: UInt64, upsert: Bool) {
        let was = isUpsert(slot)
        stamps[slot] = seq << 1 | (upsert ? 1 : 0)
        if was != upsert {
            let delta: Int32 = upsert ? 1 : -1
            owners[keys[slot].owner]?.pendingUpserts += delta
        }
    }

    /// Removes a slot. When it was not the last one, the last slot moves into it and true is returned:
    /// the caller moves its parallel value the same way.
    mutating func remove(_ slot: Int) -> Bool {
        epoch &+= 1
        let key = keys[slot]
        let l = links[slot]
        if l.prev >= 0 { links[Int(l.prev)].next = l.next }
        if l.next >= 0 { links[Int(l.next)].prev = l.prev }
        if let i = owners.index(forKey: key.owner) {
            var dropOwner = false
            ShardIndex.unlink(&owners.values[i], next: l.next, wasHead: l.prev < 0, upsert: isUpsert(slot),
                              drop: &dropOwner)
            if dropOwner { owners.remove(at: i) }
        }
        unplace(slot)
        let last = keys.count - 1
        if slot != last {
            keys[slot] = keys[last]
            stamps[slot] = stamps[last]
            links[slot] = links[last]
            let m = links[slot]
            if m.prev >= 0 {
                links[Int(m.prev)].next = Int32(slot)
            } else {
                owners[keys[slot].owner]?.head = Int32(slot)
            }
            if m.next >= 0 { links[Int(m.next)].prev = Int32(slot) }
            repoint(from: last, to: slot)
        }
        keys.removeLast()
        stamps.removeLast()
        links.removeLast()
        return slot != last
    }

    private static func unlink(_ info: inout OwnerInfo, next: Int32, wasHead: Bool, upsert: Bool,
                               drop: inout Bool) {
        if wasHead { info.head = next }
        info.pending -= 1
        if upsert { info.pendingUpserts -= 1 }
        drop = info.pending <= 0 && info.countsAt < 0
    }

    /// The slots of an owner's pending entries.
    func slots(of owner: Int64) -> [Int] {
        guard let info = owners[owner] else { return [] }
        var out: [Int] = []
        out.reserveCapacity(Int(info.pending))
        var s = info.head
        while s >= 0 {
            out.append(Int(s))
            s = links[Int(s)].next
        }
        return out
    }

    /// Pending entries of an owner.
    func pendingCount(of owner: Int64) -> Int { Int(owners[owner]?.pending ?? 0) }

    /// The slots below `imageStamps.count` whose stamp (sequence number and kind) is still the one in
    /// `imageStamps`, ascending. Meaningful only while `epoch` is the one of the image.
    func unchangedSlots(since imageStamps: [UInt64]) -> [Int] {
        var out: [Int] = []
        let n = min(imageStamps.count, stamps.count)
        out.reserveCapacity(n)
        for i in 0..<n where stamps[i] == imageStamps[i] { out.append(i) }
        return out
    }

    /// Keeps only the slots in `kept` (ascending), renumbered 0..<kept.count in that order, rebuilding
    /// the hash index and the owner lists in one sequential pass: far cheaper than removing most slots
    /// one by one. The caller filters its parallel values with the same list.
    mutating func rebuild(keeping kept: [Int]) {
        epoch &+= 1
        let n = ShardIndex.grownCapacity(kept.count)
        var newKeys: [EntryKey] = []
        var newStamps: [UInt64] = []
        newKeys.reserveCapacity(n)
        newStamps.reserveCapacity(n)
        for s in kept {
            newKeys.append(keys[s])
            newStamps.append(stamps[s])
        }
        keys = newKeys
        stamps = newStamps
        links = []
        links.reserveCapacity(n)
        for i in owners.indices {
            owners.values[i].head = -1
            owners.values[i].pending = 0
            owners.values[i].pendingUpserts = 0
        }
        for (slot, k) in keys.enumerated() {
            let head = ShardIndex.link(&owners[k.owner, default: OwnerInfo()], slot: Int32(slot), upsert: isUpsert(slot))
            links.append(OwnerLinks(prev: -1, next: head))
            if head >= 0 { links[Int(head)].prev = Int32(slot) }
        }
        owners = owners.filter { $0.value.pending > 0 || $0.value.countsAt >= 0 }
        var size = 16
        while size * 3 < keys.count * 4 + 4 { size *= 2 }
        rehash(bucketCount: size)
    }

    /// Shrinks the arrays after a flush emptied most of them; returns the new capacity when it did,
    /// so the caller resizes its parallel values array alike.
    mutating func shrinkIfSparse() -> Int? {
        var newCapacity: Int?
        if keys.capacity > 4096 && keys.count * 4 < keys.capacity {
            let n = ShardIndex.grownCapacity(keys.count)
            keys = ShardIndex.copy(keys, capacity: n)
            stamps = ShardIndex.copy(stamps, capacity: n)
            links = ShardIndex.copy(links, capacity: n)
            newCapacity = n
        }
        if buckets.count > 64 && keys.count * 8 < buckets.count {
            var size = 16
            while size * 3 < keys.count * 4 + 4 { size *= 2 }
            rehash(bucketCount: size)
        }
        return newCapacity
    }

    /// A copy of `a` with exactly room for `capacity` elements.
    static func copy<T>(_ a: [T], capacity: Int) -> [T] {
        var out: [T] = []
        out.reserveCapacity(capacity)
        out.append(contentsOf: a)
        return out
    }

    private mutating func reserve(_ n: Int) {
        keys.reserveCapacity(n)
        stamps.reserveCapacity(n)
        links.reserveCapacity(n)
    }

    // MARK: - Hashing

    private static let tagMask: UInt32 = 0xFF00_0000

    @inline(__always) private func hash(_ owner: Int64, _ user: Int64) -> UInt64 {
        var h = UInt64(bitPattern: owner) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: user) &+ seed
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 29)
    }

    @inline(__always) private func hash(_ k: EntryKey) -> UInt64 { hash(k.owner, k.user) }

    /// The bucket value for `slot` whose key hashes to `h`.
    @inline(__always) private static func bucketValue(_ h: UInt64, _ slot: Int) -> UInt32 {
        tag(h) | UInt32(truncatingIfNeeded: slot &+ 1)
    }

    /// The tag bits of a hash (its top byte: the bucket index uses the low bits).
    @inline(__always) private static func tag(_ h: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: h >> 32) & tagMask }

    @inline(__always) private static func slot(of bucketValue: UInt32) -> Int {
        Int(bucketValue & 0x00FF_FFFF) &- 1
    }

    private mutating func place(_ slot: Int) {
        let h = hash(keys[slot])
        var b = Int(truncatingIfNeeded: h) & mask
        while buckets[b] != 0 { b = (b &+ 1) & mask }
        buckets[b] = ShardIndex.bucketValue(h, slot)
    }

    /// Empties the bucket of `slot` by backward-shift deletion (no tombstones).
    private mutating func unplace(_ slot: Int) {
        let h = hash(keys[slot])
        let wanted = ShardIndex.bucketValue(h, slot)
        var i = Int(truncatingIfNeeded: h) & mask
        while buckets[i] != wanted { i = (i &+ 1) & mask }
        var j = i
        while true {
            j = (j &+ 1) & mask
            let v = buckets[j]
            if v == 0 { break }
            let home = Int(truncatingIfNeeded: hash(keys[ShardIndex.slot(of: v)])) & mask
            // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
            let stays = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !stays {
                buckets[i] = v
                i = j
            }
        }
        buckets[i] = 0
    }

    /// The bucket holding `old` now holds `new` (keys[new] is the key that was at `old`).
    private mutating func repoint(from old: Int, to new: Int) {
        let h = hash(keys[new])
        let wanted = ShardIndex.bucketValue(h, old)
        var b = Int(truncatingIfNeeded: h) & mask
        while buckets[b] != wanted { b = (b &+ 1) & mask }
        buckets[b] = ShardIndex.bucketValue(h, new)
    }

    private mutating func rehash(bucketCount: Int) {
        buckets = Array(repeating: 0, count: bucketCount)
        mask = bucketCount - 1
        for s in 0..<keys.count { place(s) }
    }
}
