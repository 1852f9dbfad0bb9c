/// A user's standing in a channel: the permission layer every channel-scoped feature shares.
struct ChannelRole: Sendable {
    let adminId: Int64
    let adminToken: String
    let isOwner: Bool
    let permissions: Set<ChannelPermission>

    /// The owner holds every permission, always.
    func has(_ p: ChannelPermission) -> Bool { isOwner || permissions.contains(p) }
}

/// The permissions of a channel admin (SPEC section 6); the raw values are the API's field and column names.
enum ChannelPermission: String, CaseIterable, Sendable {
    case addObject = "can_add_object"
    case editObject = "can_edit_object"
    case deleteObject = "can_delete_object"
    case publishObject = "can_publish_object"
    case changeChannelInfo = "can_change_channel_info"
}

extension Services {
    /// The caller's admin record in the channel, nil when not an admin.
    func channelRole(_ channel: ChannelRecord, _ caller: Caller) throws -> ChannelRole? {
        try channelRole(channelId: channel.id, ownerId: channel.ownerId, userId: caller.id)
    }

    func channelRole(channelId: Int64, ownerId: Int64, userId: Int64) throws -> ChannelRole? {
        try store.read { try ChannelAdminsStore.role(channelId: channelId, ownerId: ownerId, userId: userId, $0) }
    }
}
