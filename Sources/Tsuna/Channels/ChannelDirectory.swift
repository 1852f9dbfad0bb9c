import Store

/// Channels by token and by id with a short-lived in-memory copy: every channel-scoped request (detail,
/// subscribers, admins, contents, votes, comments) starts by resolving its channel. Updates and deletes of a
/// channel invalidate its entries at once.
final class ChannelDirectory: Sendable {
    private let store: Store
    private let byToken = ExpiringCache<String, ChannelRecord>()
    private let byId = ExpiringCache<Int64, ChannelRecord>()

    init(store: Store) {
        self.store = store
    }

    func channel(token: String) throws -> ChannelRecord? {
        try byToken.value(token) { try store.read { try ChannelsStore.channel(token: token, $0) } }
    }

    func channel(id: Int64) throws -> ChannelRecord? {
        try byId.value(id) { try store.read { try ChannelsStore.channel(id: id, $0) } }
    }

    func invalidate(_ channel: ChannelRecord) {
        byToken.invalidate(channel.token)
        byId.invalidate(channel.id)
    }
}
