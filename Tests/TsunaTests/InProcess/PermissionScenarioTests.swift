import XCTest
import Foundation
import Store
import TestSupport
@testable import Tsuna

/// SPEC's permission, existence and validation rows as one table, driven in process: who calls what, and the
/// exact status and message each gets (order of checks: 404 route → 401 → 404 object → 403 → 400).
final class PermissionScenarioTests: XCTestCase {
    enum Caller { case anonymous, badToken, owner, admin, channelAdmin, stranger }

    struct Row {
        let method: String
        let path: String
        let caller: Caller
        var body: Any? = nil
        let status: Int
        /// The `detail`, or a field's first message as "field: message".
        var says: String? = nil
    }

    func testEveryRoleGetsItsSPECAnswer() async throws {
        let w = try InProcessWorld()
        let owner = try await w.user("owner@example.com", first: "Olga")
        let admin = try await w.user("admin@example.com", admin: true)
        let helper = try await w.user("helper@example.com", first: "Hal")
        let stranger = try await w.user("stranger@example.com", first: "Sam")
        let created = try await w.send("POST", "/channels/v1/", token: owner.access, json: ["title": "Nature"])
        let channel = try XCTUnwrap(created.object["token"] as? String)
        let subscribed = try await w.send("POST", "/channel_subscribers/v1/\(channel)/create/", token: helper.access)
        XCTAssertEqual(subscribed.status, 201)
        let promoted = try await w.send("POST", "/channel_admins/v1/\(channel)/", token: owner.access, json: ["user": helper.token])
        XCTAssertEqual(promoted.status, 201)
        let planned = try await w.send("POST", "/memberships/v1/", token: admin.access, json: ["title": "Gold", "active_months": 1])
        let plan = try XCTUnwrap(planned.object["token"] as? String)
        let (published, hidden) = try await items(w, channel: channel)
        let unknown = UUID().uuidString.lowercased()

        let rows: [Row] = [
            // Authentication.
            Row(method: "GET", path: "/channels/v1/\(channel)/", caller: .anonymous, status: 401,
                says: "Authentication credentials were not provided."),
            Row(method: "GET", path: "/channels/v1/", caller: .badToken, status: 401, says: "Given token not valid for any token type"),
            Row(method: "POST", path: "/accounts/v1/register/", caller: .owner, body: [:], status: 403,
                says: "Authenticated users are not allowed to access this view"),
            Row(method: "POST", path: "/accounts/v1/login/", caller: .badToken, body: [:], status: 401),
            // Existence before permission.
            Row(method: "GET", path: "/channels/v1/\(unknown)/", caller: .stranger, status: 404, says: "Not found."),
            Row(method: "DELETE", path: "/channels/v1/not-a-uuid/", caller: .stranger, status: 404, says: "Not found."),
            Row(method: "GET", path: "/accounts/v1/\(unknown)/", caller: .stranger, status: 404, says: "Not found."),
            Row(method: "GET", path: "/votes/v1/podcast/\(published)/", caller: .stranger, status: 404, says: "Content type not found."),
            Row(method: "PATCH", path: "/videos/v1/\(channel)/\(unknown)/", caller: .stranger, body: [:], status: 404),
            // Permissions.
            Row(method: "PATCH", path: "/accounts/v1/\(owner.token)/", caller: .stranger, body: ["first_name": "X"], status: 403,
                says: "Only profile owner can update this profile."),
            Row(method: "PUT", path: "/channels/v1/\(channel)/", caller: .stranger, body: ["title": "X"], status: 403,
                says: "Only channel admins can perform this action."),
            Row(method: "PATCH", path: "/channels/v1/\(channel)/", caller: .channelAdmin, body: ["title": "X"], status: 403,
                says: "Only channel admins can perform this action."),
            Row(method: "DELETE", path: "/channels/v1/\(channel)/", caller: .channelAdmin, status: 403,
                says: "Only channel admins can perform this action."),
            Row(method: "POST", path: "/channel_subscribers/v1/\(channel)/create/", caller: .owner, status: 403,
                says: "You are already subscribed to this channel."),
            Row(method: "DELETE", path: "/channel_subscribers/v1/\(channel)/delete/", caller: .stranger, status: 403,
                says: "You haven't subscribed yet."),
            Row(method: "DELETE", path: "/channel_subscribers/v1/\(channel)/delete/", caller: .owner, status: 403,
                says: "Channel owner can not unsubscribe."),
            Row(method: "GET", path: "/channel_admins/v1/\(channel)/", caller: .stranger, status: 403,
                says: "You are not admin of the channel"),
            Row(method: "POST", path: "/channel_admins/v1/\(channel)/", caller: .channelAdmin, body: ["user": stranger.token],
                status: 403, says: "You are not the owner of the channel."),
            Row(method: "POST", path: "/memberships/v1/", caller: .stranger, body: ["title": "X"], status: 403,
                says: "Only admins can perform this action"),
            Row(method: "POST", path: "/memberships/v1/\(plan)/subscribe/", caller: .admin, status: 403,
                says: "Only normal users can perform this action"),
            Row(method: "POST", path: "/memberships/v1/\(plan)/subscribe/", caller: .stranger, status: 403,
                says: "Membership is not available to subscribe"),
            Row(method: "POST", path: "/videos/v1/\(channel)/", caller: .stranger, body: [:], status: 403,
                says: "You are not admin of the channel"),
            Row(method: "POST", path: "/videos/v1/\(channel)/", caller: .channelAdmin, body: [:], status: 403,
                says: "You dont have permission to add content"),
            Row(method: "GET", path: "/videos/v1/\(channel)/?show_private=true", caller: .stranger, status: 403,
                says: "You are not admin of the channel"),
            Row(method: "GET", path: "/videos/v1/\(channel)/\(hidden)/", caller: .stranger, status: 403,
                says: "You dont have permission to retrieve private contents."),
            Row(method: "GET", path: "/videos/v1/\(channel)/\(hidden)/", caller: .channelAdmin, status: 200),
            Row(method: "PATCH", path: "/videos/v1/\(channel)/\(published)/", caller: .channelAdmin, body: ["title": "X"],
                status: 403, says: "You dont have permission to update this object."),
            Row(method: "DELETE", path: "/videos/v1/\(channel)/\(published)/", caller: .stranger, status: 403,
                says: "You dont have permission to delete this content."),
            Row(method: "GET", path: "/votes/v1/video/\(hidden)/", caller: .stranger, status: 403,
                says: "You dont have permission to retrieve private contents."),
            Row(method: "GET", path: "/comments/v1/1/\(hidden)/", caller: .stranger, status: 403,
                says: "You dont have permission to retrieve private contents."),
            Row(method: "GET", path: "/viewers/v1/video/\(published)/list/", caller: .stranger, status: 403,
                says: "You are not admin of the channel"),
            Row(method: "GET", path: "/viewers/v1/video/\(hidden)/list/", caller: .channelAdmin, status: 200),
            // Validation, after everything else.
            Row(method: "POST", path: "/channels/v1/", caller: .stranger, body: [:], status: 400, says: "title: This field is required."),
            Row(method: "POST", path: "/channels/v1/", caller: .stranger, body: ["title": String(repeating: "t", count: 241)],
                status: 400, says: "title: Ensure this field has no more than 240 characters."),
            Row(method: "POST", path: "/memberships/v1/", caller: .admin, body: ["title": "P", "active_months": 25], status: 400,
                says: "active_months: Ensure this value is less than or equal to 24."),
            Row(method: "POST", path: "/memberships/v1/", caller: .admin, body: ["title": "P", "active_months": "x"], status: 400,
                says: "active_months: A valid integer is required."),
            Row(method: "POST", path: "/channel_admins/v1/\(channel)/", caller: .owner, body: ["user": "junk"], status: 400,
                says: "user: Object with token=junk does not exist."),
            Row(method: "POST", path: "/channel_admins/v1/\(channel)/", caller: .owner, body: ["user": stranger.token], status: 400,
                says: "non_field_errors: User hasnt subscribed to channel."),
            Row(method: "POST", path: "/votes/v1/video/\(published)/create/", caller: .stranger, body: ["choice": "x"], status: 400,
                says: "choice: \"x\" is not a valid choice."),
            Row(method: "POST", path: "/comments/v1/video/\(published)/", caller: .stranger, body: [:], status: 400,
                says: "body: This field is required."),
            Row(method: "PATCH", path: "/accounts/v1/\(owner.token)/", caller: .owner, body: ["first_name": ""], status: 400,
                says: "first_name: This field may not be blank."),
        ]
        for row in rows {
            let token: String?
            switch row.caller {
            case .anonymous: token = nil
            case .badToken: token = "junk"
            case .owner: token = owner.access
            case .admin: token = admin.access
            case .channelAdmin: token = helper.access
            case .stranger: token = stranger.access
            }
            let r = try await w.send(row.method, row.path, token: token, json: row.body)
            let label = "\(row.method) \(row.path) as \(row.caller)"
            XCTAssertEqual(r.status, row.status, "\(label): \(r.text)")
            if let says = row.says {
                let field = says.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                let message = (r.object[field] as? [String])?.first.map { "\(field): \($0)" }
                XCTAssertTrue(r.detail == says || message == says, "\(label): expected \(says), got \(r.text)")
            }
        }
    }

    /// A published and a private video in the channel, stored straight in the database (the permission rows
    /// need items, not uploads).
    func items(_ w: InProcessWorld, channel: String) async throws -> (published: String, hidden: String) {
        let published = UUID().uuidString.lowercased(), hidden = UUID().uuidString.lowercased()
        try await w.app.store.write { c in
            guard let ch = try ChannelsStore.channel(token: channel, c) else { return }
            for (token, isPublished) in [(published, true), (hidden, false)] {
                try ContentsStore.insert(ContentsStore.NewContent(
                    token: token, kind: .video, channelId: ch.id, userId: ch.ownerId, title: "Clip", description: "d",
                    file: "videos/\(token).mp4", thumbnail: nil, published: isPublished, allowComment: true,
                    date: Clock.nowMicros()), c)
            }
        }
        return (published, hidden)
    }
}
