import Foundation
import HTTP
import Security
import Store

/// `/videos/v1/` and `/musics/v1/`: list, create, detail, update, delete (SPEC section 7).
struct ContentsRoutes {
    let api: API
    let kind: ContentKind
    var services: Services { api.services }
    var json: ContentsJSON { ContentsJSON(services: services) }

    static let noAdd = "You dont have permission to add content"
    static let noPublish = "You dont have permission to publish content"
    static let noUpdate = "You dont have permission to update this object."
    static let noDelete = "You dont have permission to delete this content."
    static let unsupported = "Unsupported file type."
    static let notAFile = "The submitted data was not a file. Check the encoding type on the form."

    func register() {
        let tags = [kind.folder]
        let base = "/\(kind.folder)/v1/:channel_token/"
        let config = services.configuration
        // Only videos are throttled (per user), as the original did.
        let throttle = kind == .video ? services.videoThrottle : nil
        let mb = 1_048_576
        let createBody = (max(kind.largestLimitMB(config), config.imageLimitMB) + 1) * mb
        let imageBody = (config.imageLimitMB + 1) * mb
        api.route("GET", base, throttle: throttle, throttleBy: .user,
                  summary: "Published \(kind.folder) of a channel, newest first (?title=, ?show_private=true for admins)",
                  tags: tags) { try list($0) }
        api.route("POST", base, bodyLimit: createBody, throttle: throttle, throttleBy: .user,
                  summary: "Upload a \(kind.word) (admins with can_add_object)", tags: tags) { try await create($0) }
        api.route("GET", base + ":token/", throttle: throttle, throttleBy: .user,
                  summary: "A \(kind.word) with its counts; records the caller's view", tags: tags) { try await detail($0) }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":token/", bodyLimit: imageBody, throttle: throttle, throttleBy: .user,
                      summary: "Update a \(kind.word) (admins with can_edit_object)", tags: tags) {
                try await update($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", base + ":token/", throttle: throttle, throttleBy: .user,
                  summary: "Delete a \(kind.word) with its votes, views, comments and files", tags: tags) { try await delete($0) }
    }

    private func channel(_ ctx: Context) throws -> ChannelRecord {
        try ChannelAccess.channel(ctx.parameter("channel_token"), services: services)
    }

    /// The item named in the path, or 404 when it is not in that channel.
    private func item(_ ctx: Context, in ch: ChannelRecord) throws -> ContentRecord {
        let item = try ContentAccess.content(kind: kind, token: ctx.parameter("token"), services: services)
        guard item.channelId == ch.id else { throw APIError.notFound() }
        return item
    }

    private func list(_ ctx: Context) throws -> Response {
        let ch = try channel(ctx)
        let showPrivate = ctx.request.query("show_private").flatMap(Validator.parseBool) ?? false
        if showPrivate, try ChannelAccess.role(ch, user: ctx.user, services: services) == nil {
            throw APIError.forbidden(ChannelAccess.notAdmin)
        }
        let page = Page(ctx.request)
        let title = ctx.request.query("title")
        let (count, rows) = try services.store.read {
            try ContentsStore.list(channelId: ch.id, kind: kind, includePrivate: showPrivate, title: title,
                                   limit: page.limit, offset: page.offset, $0)
        }
        let json = self.json
        return page.response(count: count, results: { w in
            for item in rows { json.writeRow(&w, item) }
        }, request: ctx.request, domain: services.domain)
    }

    private func detail(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        let item = try item(ctx, in: ch)
        if !item.isPublished, try ContentAccess.role(item, user: ctx.user, services: services) == nil {
            throw APIError.forbidden(ContentAccess.privateContent)
        }
        // Only this route records views: once per user per item.
        _ = try await services.views.insertIfAbsent(owner: item.id, user: ctx.user.id, value: View(date: Clock.nowMicros()))
        return try await json.detail(item)
    }

    /// Checks the uploaded content file against the caller's limit and the kind's formats; nil when refused.
    private func validateFile(_ input: Input, role: Role, into errors: inout FieldErrors) -> (MultipartFile, String)? {
        guard let file = input.file("file") else {
            errors.add("file", input["file"] == nil ? FieldMessage.required : ContentsRoutes.notAFile)
            return nil
        }
        let config = services.configuration
        let (limit, overflow) = kind.limitMB(role, config).multipliedReportingOverflow(by: 1_048_576)
        if !overflow && file.size > limit {
            errors.add("file", kind.limitMessage(role, config))
            return nil
        }
        guard let ext = ContentFormat.fileExtension(file.firstBytes(ContentFormat.sniffLength), kind: kind) else {
            errors.add("file", ContentsRoutes.unsupported)
            return nil
        }
        return (file, ext)
    }

    private func create(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        guard let role = try ChannelAccess.role(ch, user: ctx.user, services: services) else {
            throw APIError.forbidden(ChannelAccess.notAdmin)
        }
        guard role.has(.addObject) else { throw APIError.forbidden(ContentsRoutes.noAdd) }
        let config = services.configuration
        // Files over the caller's own limit but within the route's get the field message, not a parse error.
        let input = try Input.parse(ctx.request, fileLimit: (max(kind.largestLimitMB(config), config.imageLimitMB) + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input)
        let visibility = v.choice("visibility", ["pr", "pu"])
        if visibility == "pu" && !role.has(.publishObject) { throw APIError.forbidden(ContentsRoutes.noPublish) }
        let title = v.string("title", required: true, maxLength: 100)
        let description = v.string("description", required: true, maxLength: 300)
        let allowComment = v.bool("allow_comment")
        let thumbKind = input.file("thumbnail").flatMap {
            MediaStorage.validateImage($0, field: "thumbnail", limitMB: config.imageLimitMB, into: &v.errors)
        }
        let upload = validateFile(input, role: ctx.user.role, into: &v.errors)
        try v.finish()
        guard let title, let description, let upload else { throw APIError.badRequest("Invalid input.") }
        let (file, ext) = upload

        let caller = ctx.user
        let token = SecureRandom.uuidV4()
        var stored: [String] = []
        do {
            // The file's name is the item's token: /media/ finds the item (and its visibility) from the path.
            let path = "\(kind.folder)/\(token).\(ext)"
            try FileSystem.ensureFolder(services.media.directory + "/" + kind.folder)
            try file.persist(to: services.media.directory + "/" + path)
            stored.append(path)
            var thumbnail: String?
            if let f = input.file("thumbnail"), let t = thumbKind {
                thumbnail = try services.media.store(f, folder: "thumbnails", fileExtension: t.fileExtension)
                stored.append(thumbnail!)
            }
            let new = ContentsStore.NewContent(
                token: token, kind: kind, channelId: ch.id, userId: caller.id, title: title, description: description,
                file: path, thumbnail: thumbnail, published: visibility == "pu", allowComment: allowComment ?? true,
                date: Clock.nowMicros())
            let (mailer, kind) = (services.mailer, self.kind)
            let link = "\(services.domain)/\(kind.folder)/v1/\(ch.token)/\(token)/"
            try await services.store.write { c in
                try ContentsStore.insert(new, c)
                var recipients = [(email: caller.email, name: caller.displayName)]
                if ch.ownerId != caller.id, let owner = try ContentsStore.contact(userId: ch.ownerId, c) {
                    recipients.append(owner)
                }
                try ContentsMail.queueAdded(c, mailer: mailer, kind: kind, title: title, channelTitle: ch.title,
                                            link: link, recipients: recipients)
            }
            mailer.wake()
        } catch {
            for path in stored { services.media.remove(path) }
            throw error
        }
        let item = try ContentAccess.content(kind: kind, token: token, services: services)
        return json.created(item)
    }

    private func update(_ ctx: Context, partial: Bool) async throws -> Response {
        let ch = try channel(ctx)
        let item = try item(ctx, in: ch)
        guard let role = try ContentAccess.role(item, user: ctx.user, services: services), role.has(.editObject) else {
            throw APIError.forbidden(ContentsRoutes.noUpdate)
        }
        let config = services.configuration
        let input = try Input.parse(ctx.request, fileLimit: (config.imageLimitMB + 1) * 1_048_576,
                                    temporaryDirectory: config.temporaryDirectory)
        var v = Validator(input, partial: partial)
        let visibility = v.choice("visibility", ["pr", "pu"])
        if visibility == "pu" && !item.isPublished && !role.has(.publishObject) {
            throw APIError.forbidden(ContentsRoutes.noPublish)
        }
        let title = v.string("title", required: true, maxLength: 100)
        let description = v.string("description", required: true, maxLength: 300)
        let allowComment = v.bool("allow_comment")
        let thumbKind = input.file("thumbnail").flatMap {
            MediaStorage.validateImage($0, field: "thumbnail", limitMB: config.imageLimitMB, into: &v.errors)
        }
        try v.finish()
        var newThumbnail: String?
        do {
            if let f = input.file("thumbnail"), let t = thumbKind {
                newThumbnail = try services.media.store(f, folder: "thumbnails", fileExtension: t.fileExtension)
            }
            let thumbnail = newThumbnail ?? item.thumbnail
            let published = visibility.map { $0 == "pu" } ?? item.isPublished
            try await services.store.write { c in
                try ContentsStore.update(id: item.id, title: title ?? item.title, description: description ?? item.description,
                                         thumbnail: thumbnail, published: published,
                                         allowComment: allowComment ?? item.allowComment, c)
            }
        } catch {
            services.media.remove(newThumbnail)
            throw error
        }
        if newThumbnail != nil { services.media.remove(item.thumbnail) }
        // The answer has the detail's shape, without recording a view.
        return try await json.detail(try ContentAccess.content(kind: kind, token: item.token, services: services))
    }

    private func delete(_ ctx: Context) async throws -> Response {
        let ch = try channel(ctx)
        let item = try item(ctx, in: ch)
        guard let role = try ContentAccess.role(item, user: ctx.user, services: services), role.has(.deleteObject) else {
            throw APIError.forbidden(ContentsRoutes.noDelete)
        }
        try await services.store.write { c in try ContentsStore.delete(id: item.id, c) }
        // Votes, views and comments went by cascade; the caches drop what they still hold.
        for hook in services.contentDeletionHooks { await hook([item.id]) }
        services.media.remove(item.file)
        services.media.remove(item.thumbnail)
        return Response(status: 204)
    }
}

/// Folder creation for stored uploads.
enum FileSystem {
    static func ensureFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}
