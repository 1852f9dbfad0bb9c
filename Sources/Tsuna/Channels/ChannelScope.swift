/// The channel a route's path names (`:channel_token`), with the caller's role when a rule needs it.
struct ChannelScope: RoleScoped {
    let channel: ChannelRecord
    let role: ChannelRole?
}

extension Loader where Scope == ChannelScope {
    /// `:channel_token` → the channel, or 404.
    static var channel: Loader {
        Loader { r in
            let channel = try ChannelScope.channel(r.parameter("channel_token"), r.services)
            let role = r.needsRole ? try r.services.channelRole(channel, r.caller) : nil
            return ChannelScope(channel: channel, role: role)
        }
    }
}

extension ChannelScope {
    /// The channel named by a path token, or 404.
    static func channel(_ raw: String, _ services: Services) throws -> ChannelRecord {
        guard let token = TokenFormat.normalized(raw), let channel = try services.channels.channel(token: token) else {
            throw APIError.notFound
        }
        return channel
    }

    static let notAdmin = "You are not admin of the channel"
    static let notOwner = "You are not the owner of the channel."
}
