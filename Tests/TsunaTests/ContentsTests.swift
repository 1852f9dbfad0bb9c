import XCTest
import Foundation
import TestSupport

/// SPEC section 7 end to end: uploads, formats, limits, permissions, private files, views, updates, deletion.
final class ContentsTests: XCTestCase {
    func testUploadVideoAndMusicWithMailAndMedia() throws {
        let f = try ContentFixture()
        let c = f.c
        let video = try f.upload(fields: ["allow_comment": "false"], thumbnail: ContentFixture.png)
        XCTAssertEqual(video.status, 201, video.text)
        XCTAssertEqual(Set(video.object.keys), ["title", "description", "file", "thumbnail", "allow_comment", "visibility", "date", "token"])
        XCTAssertEqual(video.object["visibility"] as? String, "pr")
        XCTAssertEqual(video.object["allow_comment"] as? Bool, false)
        let fileURL = try XCTUnwrap(video.object["file"] as? String)
        XCTAssertTrue(fileURL.hasPrefix("http://127.0.0.1:\(f.server.port)/media/videos/"), fileURL)
        XCTAssertTrue(fileURL.contains(".mp4?expires=") && fileURL.contains("&signature="), "private file URL is signed: \(fileURL)")
        let thumb = try XCTUnwrap(video.object["thumbnail"] as? String)
        XCTAssertTrue(thumb.contains("/media/thumbnails/") && thumb.hasSuffix(".png"), thumb)
        XCTAssertNotNil(f.server.waitForMail(to: "owner@example.com", subject: "New video added to your channel."))

        // The private file: 403 without a valid signature, 200 and ranges with it.
        let url = try XCTUnwrap(URLComponents(string: fileURL))
        let signed = url.path + "?" + (url.percentEncodedQuery ?? "")
        XCTAssertEqual(try c.request("GET", url.path).status, 403)
        XCTAssertEqual(try c.request("GET", url.path + "?expires=99999999999&signature=" + String(repeating: "A", count: 43)).status, 403)
        let full = try c.request("GET", signed)
        XCTAssertEqual(full.status, 200)
        XCTAssertEqual(full.body, ContentFixture.mp4)
        XCTAssertEqual(full.header("Content-Type"), "video/mp4")
        let part = try c.request("GET", signed, headers: ["Range": "bytes=4-11"])
        XCTAssertEqual(part.status, 206)
        XCTAssertEqual(part.text, "ftypisom")
        XCTAssertEqual(part.header("Content-Range"), "bytes 4-11/\(ContentFixture.mp4.count)")
        XCTAssertEqual(try c.request("GET", URL(string: thumb)!.path).status, 200, "images are public")
        XCTAssertEqual(try c.request("GET", "/media/videos/\(UUID().uuidString).mp4").status, 404)

        // A music uploaded by a permitted admin, published: its file is public; both uploader and owner get mail.
        let admin = try f.makeAdmin("adam@example.com", permissions: ["can_add_object": true, "can_publish_object": true])
        let music = try f.upload("musics", as: admin, fields: ["visibility": "pu", "title": "Song"], file: ContentFixture.mp3, filename: "s.mp3")
        XCTAssertEqual(music.status, 201, music.text)
        let musicURL = try XCTUnwrap(music.object["file"] as? String)
        XCTAssertTrue(musicURL.hasSuffix(".mp3") && !musicURL.contains("?"), musicURL)
        let m = try c.request("GET", URL(string: musicURL)!.path, headers: ["Range": "bytes=0-2"])
        XCTAssertEqual(m.status, 206)
        XCTAssertEqual(m.text, "ID3")
        XCTAssertNotNil(f.server.waitForMail(to: "adam@example.com", subject: "New music added to your channel."))
        XCTAssertNotNil(f.server.waitForMail(to: "owner@example.com", subject: "New music added to your channel."))

        // Other recognised formats.
        let webm: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3] + [UInt8](repeating: 0, count: 40)
        XCTAssertEqual(try f.upload(file: webm, filename: "x.webm").status, 201)
        let flac = Array("fLaC".utf8) + [UInt8](repeating: 0, count: 40)
        XCTAssertEqual(try f.upload("musics", file: flac, filename: "x.flac").status, 201)
        let wav = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8) + [UInt8](repeating: 0, count: 40)
        XCTAssertEqual(try f.upload("musics", file: wav, filename: "x.wav").status, 201)
        XCTAssertEqual(try f.upload("musics", file: [0xFF, 0xF1] + [UInt8](repeating: 0, count: 40), filename: "x.aac").status, 201)
        XCTAssertEqual(try f.upload("musics", file: ContentFixture.mp4, filename: "x.m4a").status, 201)
    }

    func testRejectedUploadsLeaveNothingAndLimitsFollowTheRole() throws {
        let f = try ContentFixture(environment: ["TSUNA_VIDEO_LIMIT_NORMAL_MB": "1", "TSUNA_VIDEO_LIMIT_PREMIUM_MB": "2",
                                                 "TSUNA_IMAGE_LIMIT_MB": "1"])
        let text = try f.upload(file: Array("just some text, not a video at all".utf8), filename: "v.mp4")
        XCTAssertEqual(text.status, 400)
        XCTAssertEqual(text.object as NSDictionary, ["file": ["Unsupported file type."]])
        XCTAssertEqual(try f.upload(file: ContentFixture.png, filename: "v.mp4").messages("file"), ["Unsupported file type."])
        XCTAssertEqual(try f.upload("musics", file: ContentFixture.mp4 + [], filename: "x").status, 201, "ftyp is accepted as M4A")
        XCTAssertEqual(try f.upload("musics", file: [0x1A, 0x45, 0xDF, 0xA3, 0, 0, 0, 0], filename: "x").messages("file"),
                       ["Unsupported file type."])
        let big = ContentFixture.mp4 + [UInt8](repeating: 0, count: 1_200_000)
        let tooBig = try f.upload(file: big)
        XCTAssertEqual(tooBig.status, 400)
        XCTAssertEqual(tooBig.object as NSDictionary, ["file": ["Normal users can upload videos up to 1MB."]])
        let missing = try f.upload(fields: ["title": ""], file: nil)
        XCTAssertEqual(missing.messages("file"), ["This field is required."])
        XCTAssertEqual(missing.messages("title"), ["This field may not be blank."])
        let long = try f.upload(fields: ["title": String(repeating: "t", count: 101), "description": String(repeating: "d", count: 301)])
        XCTAssertEqual(long.messages("title"), ["Ensure this field has no more than 100 characters."])
        XCTAssertEqual(long.messages("description"), ["Ensure this field has no more than 300 characters."])
        let badThumb = try f.upload(thumbnail: Array("nope".utf8))
        XCTAssertEqual(badThumb.status, 400)
        XCTAssertNotNil(badThumb.messages("thumbnail"))
        XCTAssertEqual(f.files("media/videos"), [], "rejected uploads leave no file")
        XCTAssertEqual(f.files("media/thumbnails"), [])
        XCTAssertEqual(f.files("tmp"), [])
        XCTAssertEqual(try f.scalar("SELECT count(*) FROM contents WHERE kind = 1"), 0)

        // Over the largest limit that can apply + 1 MB: 413 from Content-Length, before the body.
        let raw = try f.server.client()
        try raw.send("POST /videos/v1/\(f.channel)/ HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(f.owner.access)\r\n" +
                     "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: \(4 * 1_048_576)\r\n\r\n")
        XCTAssertEqual(try raw.readResponse().status, 413)

        // A site admin gets the premium limit and wording.
        let admin = try f.server.makeAdmin()
        let ch = try f.c.json("POST", "/channels/v1/", ["title": "Admin's"], token: admin.access)
        let adminChannel = try XCTUnwrap(ch.object["token"] as? String)
        func adminUpload(_ bytes: [UInt8]) throws -> RawResponse {
            let (type, body) = ContentFixture.multipart(["title": "t", "description": "d"], files: [("file", "v.mp4", bytes)])
            return try f.c.request("POST", "/videos/v1/\(adminChannel)/", headers: ["Authorization": "Bearer \(admin.access)", "Content-Type": type], body: body)
        }
        XCTAssertEqual(try adminUpload(big).status, 201)
        XCTAssertEqual(try adminUpload(ContentFixture.mp4 + [UInt8](repeating: 0, count: 2_100_000)).messages("file"),
                       ["Premium users can upload videos up to 2MB."])
    }

    func testPermissionsToAddPublishEditAndDelete() throws {
        let f = try ContentFixture()
        let c = f.c
        let stranger = try f.server.makeUser("stranger@example.com")
        let r1 = try f.upload(as: stranger)
        XCTAssertEqual(r1.status, 403)
        XCTAssertEqual(r1.detail, "You are not admin of the channel")
        let plain = try f.makeAdmin("plain@example.com", permissions: [:])
        XCTAssertEqual(try f.upload(as: plain).detail, "You dont have permission to add content")
        let adder = try f.makeAdmin("adder@example.com", permissions: ["can_add_object": true])
        XCTAssertEqual(try f.upload(as: adder, fields: ["visibility": "pu"]).detail, "You dont have permission to publish content")
        XCTAssertEqual(try f.upload(as: adder, fields: ["visibility": "maybe"]).messages("visibility"), ["\"maybe\" is not a valid choice."])
        let created = try f.upload(as: adder)
        XCTAssertEqual(created.status, 201)
        let token = try XCTUnwrap(created.object["token"] as? String)
        XCTAssertEqual(try f.upload(as: stranger, file: nil).status, 403, "403 comes before 400")
        XCTAssertEqual(try c.json("POST", "/videos/v1/\(UUID().uuidString)/", ["title": "x"], token: stranger.access).status, 404)
        XCTAssertEqual(try c.json("POST", "/videos/v1/\(f.channel)/", ["title": "x"]).status, 401)

        let path = "/videos/v1/\(f.channel)/\(token)/"
        let hidden = try c.json("GET", path, token: stranger.access)
        XCTAssertEqual(hidden.status, 403)
        XCTAssertEqual(hidden.detail, "You dont have permission to retrieve private contents.")
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/?show_private=true", token: stranger.access).detail,
                       "You are not admin of the channel")
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/?show_private=true", token: plain.access).object["count"] as? Int, 1)

        XCTAssertEqual(try c.json("PATCH", path, ["title": "New"], token: stranger.access).detail, "You dont have permission to update this object.")
        XCTAssertEqual(try c.json("PATCH", path, ["title": "New"], token: plain.access).detail, "You dont have permission to update this object.")
        let editor = try f.makeAdmin("editor@example.com", permissions: ["can_edit_object": true])
        XCTAssertEqual(try c.json("PATCH", path, ["visibility": "pu"], token: editor.access).detail, "You dont have permission to publish content")
        XCTAssertEqual(try c.json("PATCH", path, ["title": "New"], token: editor.access).status, 200)
        XCTAssertEqual(try c.json("DELETE", path, token: stranger.access).detail, "You dont have permission to delete this content.")
        XCTAssertEqual(try c.json("DELETE", path, token: editor.access).detail, "You dont have permission to delete this content.")
        let deleter = try f.makeAdmin("deleter@example.com", permissions: ["can_delete_object": true])
        XCTAssertEqual(try c.json("DELETE", path, token: deleter.access).status, 204)
        XCTAssertEqual(try c.json("GET", path, token: f.owner.access).status, 404)
        XCTAssertEqual(f.files("media/videos"), [])
    }

    func testListDetailViewsUpdateAndDelete() throws {
        let f = try ContentFixture()
        let c = f.c
        let first = try f.item(fields: ["title": "First"])
        let hidden = try f.item(published: false, fields: ["title": "Hidden"])
        let second = try f.item(fields: ["title": "Second"])
        let viewer = try f.server.makeUser("viewer@example.com", firstName: "Vic", lastName: "")
        let list = try c.json("GET", "/videos/v1/\(f.channel)/", token: viewer.access)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        let rows = try XCTUnwrap(list.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["token"] as? String }, [second, first], "newest first, published only")
        XCTAssertEqual(Set(rows[0].keys), ["title", "thumbnail", "token", "channel", "channel_token", "date", "user", "user_token", "is_published"])
        XCTAssertEqual(rows[0]["channel"] as? String, "Nature")
        XCTAssertEqual(rows[0]["user"] as? String, "Olga Owner")
        XCTAssertEqual(rows[0]["user_token"] as? String, f.owner.token)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/?title=First", token: viewer.access).object["count"] as? Int, 1)
        let all = try c.json("GET", "/videos/v1/\(f.channel)/?show_private=true&limit=1", token: f.owner.access)
        XCTAssertEqual(all.object["count"] as? Int, 3)
        XCTAssertEqual((all.object["results"] as? [[String: Any]])?.first?["token"] as? String, second)
        XCTAssertEqual(try c.json("GET", "/musics/v1/\(f.channel)/", token: viewer.access).object["count"] as? Int, 0)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(hidden)/", token: f.owner.access).object["visibility_display"] as? String, "Private")

        // Views: once per user per item, counted right away and after a flush.
        let path = "/videos/v1/\(f.channel)/\(first)/"
        let d1 = try c.json("GET", path, token: viewer.access)
        XCTAssertEqual(d1.status, 200)
        XCTAssertEqual(Set(d1.object.keys), ["title", "description", "file", "thumbnail", "token", "user", "user_token", "channel",
                                             "channel_token", "date", "visibility", "visibility_display", "is_updated",
                                             "is_published", "allow_comment", "viewers_count", "upvotes", "downvotes", "content_type_id"])
        XCTAssertEqual(d1.object["viewers_count"] as? Int, 1)
        XCTAssertEqual(d1.object["visibility_display"] as? String, "Public")
        XCTAssertEqual(d1.object["content_type_id"] as? Int, 1)
        XCTAssertEqual(d1.object["is_updated"] as? Bool, false)
        XCTAssertEqual(try c.json("GET", path, token: viewer.access).object["viewers_count"] as? Int, 1)
        XCTAssertEqual(try c.json("GET", path, token: f.owner.access).object["viewers_count"] as? Int, 2)
        try f.waitFor("SELECT count(*) FROM viewers WHERE content_id = (SELECT id FROM contents WHERE token = '\(first)')", 2)
        XCTAssertEqual(try c.json("GET", path, token: viewer.access).object["viewers_count"] as? Int, 2)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(UUID().uuidString)/", token: viewer.access).status, 404)
        let other = try XCTUnwrap(try c.json("POST", "/channels/v1/", ["title": "Other"], token: f.owner.access).object["token"] as? String)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(other)/\(first)/", token: viewer.access).status, 404, "not in that channel")
        XCTAssertEqual(try c.json("GET", "/musics/v1/\(f.channel)/\(first)/", token: viewer.access).status, 404)

        // Updates record no view, set is_updated and keep the file.
        let patched = try c.json("PATCH", path, ["description": "Better", "allow_comment": false, "file": "x", "is_updated": false], token: f.owner.access)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.object["description"] as? String, "Better")
        XCTAssertEqual(patched.object["title"] as? String, "First")
        XCTAssertEqual(patched.object["is_updated"] as? Bool, true)
        XCTAssertEqual(patched.object["allow_comment"] as? Bool, false)
        XCTAssertEqual(patched.object["viewers_count"] as? Int, 2)
        XCTAssertEqual(patched.object["file"] as? String, d1.object["file"] as? String)
        let put = try c.json("PUT", path, ["title": "Only title"], token: f.owner.access)
        XCTAssertEqual(put.messages("description"), ["This field is required."])
        let unpublish = try c.json("PATCH", path, ["visibility": "pr"], token: f.owner.access)
        XCTAssertEqual(unpublish.object["is_published"] as? Bool, false)
        XCTAssertTrue((unpublish.object["file"] as? String ?? "").contains("signature="))
        XCTAssertEqual(try c.json("GET", path, token: viewer.access).status, 403)
    }

    func testDeletingContentsAndChannelsLeavesNoOrphans() throws {
        let f = try ContentFixture()
        let c = f.c
        let fan = try f.server.makeUser("fan@example.com")
        let a = try f.item(), b = try f.item("musics")
        for (folder, token, ct) in [("videos", a, "video"), ("musics", b, "2")] {
            XCTAssertEqual(try c.json("GET", "/\(folder)/v1/\(f.channel)/\(token)/", token: fan.access).status, 200)
            XCTAssertEqual(try c.json("POST", "/votes/v1/\(ct)/\(token)/create/", ["choice": "d"], token: fan.access).status, 201)
            XCTAssertEqual(try c.json("POST", "/comments/v1/\(ct)/\(token)/", ["body": "Nice"], token: fan.access).status, 201)
        }
        try f.waitFor("SELECT count(*) FROM votes", 2)
        // One pending write per cache when the item goes: it must never reach the database.
        let fan2 = try f.server.makeUser("fan2@example.com")
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(a)/", token: fan2.access).status, 200)
        XCTAssertEqual(try c.json("POST", "/votes/v1/1/\(a)/create/", token: fan2.access).status, 201)
        XCTAssertEqual(try c.json("DELETE", "/videos/v1/\(f.channel)/\(a)/", token: f.owner.access).status, 204)
        XCTAssertEqual(try c.json("GET", "/votes/v1/1/\(a)/", token: fan2.access).status, 404)
        XCTAssertEqual(try c.json("DELETE", "/channels/v1/\(f.channel)/", token: f.owner.access).status, 204)
        XCTAssertEqual(try c.json("GET", "/votes/v1/2/\(b)/", token: fan.access).status, 404)
        XCTAssertEqual(f.files("media/videos") + f.files("media/musics"), [])
        // Two flush intervals later nothing of them is left.
        usleep(2_500_000)
        for table in ["contents", "votes", "viewers", "comments"] {
            try f.waitFor("SELECT count(*) FROM \(table)", 0)
        }
    }

    func testVideosAreThrottledPerUserMusicsAreNot() throws {
        let f = try ContentFixture(environment: ["TSUNA_THROTTLE_VIDEO": "2/minute"])
        let c = f.c
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/", token: f.owner.access).status, 200)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/", token: f.owner.access).status, 200)
        let third = try c.json("GET", "/videos/v1/\(f.channel)/", token: f.owner.access)
        XCTAssertEqual(third.status, 429)
        XCTAssertNotNil(third.header("Retry-After"))
        let other = try f.server.makeUser("other@example.com")
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/", token: other.access).status, 200, "per user")
        for _ in 0..<5 { XCTAssertEqual(try c.json("GET", "/musics/v1/\(f.channel)/", token: f.owner.access).status, 200) }
    }
}
