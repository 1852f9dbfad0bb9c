import Store

/// A user's standing in a channel: the permission layer every channel-scoped feature shares.
struct ChannelRole: Sendable {
    let adminId: Int64
    let adminToken: String
    let isOwner: Bool
    let canAddObject: Bool
    let canEditObject: Bool
    let canDeleteObject: Bool
    let canPublishObject: Bool
    let canChangeChannelInfo: Bool

    /// The owner holds every permission, always.
    func has(_ p: ChannelPermission) -> Bool {
        if isOwner { return true }
        switch p {
        case .addObject: return canAddObject
        case .editObject: return canEditObject
        case .deleteObject: return canDeleteObject
        case .publishObject: return canPublishObject
        case .changeChannelInfo: return canChangeChannelInfo
        }
    }
}

enum ChannelPermission: String, CaseIterable {
    case addObject = "can_add_object"
    case editObject = "can_edit_object"
    case deleteObject = "can_delete_object"
    case publishObject = "can_publish_object"
    case changeChannelInfo = "can_change_channel_info"
}

enum ChannelAccess {
    /// The caller's admin record in the channel, nil when not an admin.
    static func role(channelId: Int64, ownerId: Int64, userId: Int64, _ c: Connection) throws -> ChannelRole? {
        try c.queryOne("""
            SELECT id, token, can_add_object, can_edit_object, can_delete_object, can_publish_object, can_change_channel_info
            FROM channel_admins WHERE channel_id = ? AND user_id = ?
            """, [.integer(channelId), .integer(userId)]) { r in
            ChannelRole(adminId: r.int64(0), adminToken: r.string(1), isOwner: userId == ownerId,
                        canAddObject: r.bool(2), canEditObject: r.bool(3), canDeleteObject: r.bool(4),
                        canPublishObject: r.bool(5), canChangeChannelInfo: r.bool(6))
        }
    }

    static func role(_ channel: ChannelRecord, user: Caller, services: Services) throws -> ChannelRole? {
        try services.store.read { try role(channelId: channel.id, ownerId: channel.ownerId, userId: user.id, $0) }
    }

    /// The channel named by a path token, or 404.
    static func channel(_ raw: String, services: Services) throws -> ChannelRecord {
        guard let token = TokenFormat.normalized(raw),
              let channel = try services.channels.channel(token: token) else {
            throw APIError.notFound()
        }
        return channel
    }

    static let notAdmin = "You are not admin of the channel"
    static let notOwner = "You are not the owner of the channel."
}
