import Store

/// Channels by token with a short-lived in-memory copy: every channel-scoped request (detail, subscribers,
/// admins, contents, votes, comments) starts by resolving its channel. Updates and deletes of a channel
/// invalidate its entry at once; a profile change clears everything (channels show their owner's name).
final class ChannelDirectory: Sendable {
    private let store: Store
    private let cache = ExpiringCache<ChannelRecord>()

    init(store: Store) {
        self.store = store
    }

    func channel(token: String) throws -> ChannelRecord? {
        try cache.value(token) { try store.read { try ChannelsStore.channel(token: token, $0) } }
    }

    func invalidate(_ token: String) { cache.invalidate(token) }
    func invalidateAll() { cache.invalidateAll() }
}
