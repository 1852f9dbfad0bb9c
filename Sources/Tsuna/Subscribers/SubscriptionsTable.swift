/// A channel subscription in the write-behind cache: owner = channel id, user = user id, value = its date.
typealias Subscription = Dated

extension DatedTable {
    /// `channel_subscribers` as the subscriptions cache reads and writes it.
    static let subscriptions = DatedTable(name: "subscriptions", table: "channel_subscribers", ownerColumn: "channel_id",
                                          existingOwners: { try ChannelsStore.existingIds($1, $0) })
}
