import HTTP
import JSON
import Security
import Store

/// `/videos/v1/` and `/musics/v1/`: list, upload, detail, update, delete (SPEC section 7).
struct ContentsRoutes: Sendable {
    let services: Services
    let kind: ContentKind
    var json: ContentsJSON { ContentsJSON(services: services) }

    static let noAdd = "You dont have permission to add content"
    static let noPublish = "You dont have permission to publish content"
    static let noUpdate = "You dont have permission to update this object."
    static let noDelete = "You dont have permission to delete this content."
    static let unsupported = "Unsupported file type."
    static let notAFile = "The submitted data was not a file. Check the encoding type on the form."

    func register(on api: API) {
        let tags = [kind.folder]
        let base = "/\(kind.folder)/v1/:channel_token/"
        let config = services.configuration
        // Only videos are throttled (per user), as the original did.
        let throttle = Throttle.perUser(kind == .video ? services.videoThrottle : nil)
        // Files over the caller's own limit but within the route's get the field message, not a 413.
        let upload = BodySpec.files(maxFileMB: max(kind.largestLimitMB(config), config.imageLimitMB))
        let images = BodySpec.files(maxFileMB: config.imageLimitMB)
        api.route("GET", base, .channel, throttle: throttle,
                  summary: "Published \(kind.folder) of a channel, newest first (?title=, ?show_private=true for admins)",
                  tags: tags, list)
        api.route("POST", base, .channel, .permission(.addObject, ContentsRoutes.noAdd, notAdmin: ChannelScope.notAdmin),
                  body: upload, throttle: throttle, summary: "Upload a \(kind.word) (admins with can_add_object)",
                  tags: tags, create)
        api.route("GET", base + ":token/", .channelItem(kind, visibility: .checked), throttle: throttle,
                  summary: "A \(kind.word) with its counts; records the caller's view", tags: tags) { ctx in
            // Only this route records views, once per user per item; HEAD only asks and records nothing.
            if ctx.request.method == "GET" {
                _ = try await services.views.insertIfAbsent(owner: ctx.item.id, user: ctx.caller.id,
                                                            value: View(date: Clock.nowMicros()))
            }
            return try await json.detail(ctx.item, ctx.channel)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, base + ":token/", .channelItem(kind, visibility: .unchecked),
                      .permission(.editObject, ContentsRoutes.noUpdate), body: images, throttle: throttle,
                      summary: "Update a \(kind.word) (admins with can_edit_object)", tags: tags) {
                try await update($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", base + ":token/", .channelItem(kind, visibility: .unchecked),
                  .permission(.deleteObject, ContentsRoutes.noDelete), throttle: throttle,
                  summary: "Delete a \(kind.word) with its votes, views, comments and files", tags: tags) { ctx in
            try await ContentRemoval.delete(ctx.item, services)
            return Response(status: 204)
        }
    }

    private func list(_ ctx: Context<ChannelScope>) throws -> Response {
        let ch = ctx.channel
        let showPrivate = ctx.query("show_private").flatMap(Validator.parseBool) ?? false
        if showPrivate, try services.channelRole(ch, ctx.caller) == nil {
            throw APIError.forbidden(ChannelScope.notAdmin)
        }
        let page = ctx.page
        let title = ctx.query("title")
        let (count, rows) = try services.store.read {
            try ContentsStore.list(channelId: ch.id, kind: kind, includePrivate: showPrivate, title: title, page: page, $0)
        }
        let users = try services.users.references(rows.compactMap(\.userId))
        let json = self.json
        return page.response(count: count, rows: rows, key: \.sortKey, request: ctx.request, domain: services.domain) {
            json.writeRow(&$0, $1, ch, $1.userId.flatMap { users[$0] })
        }
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

    private func create(_ ctx: Context<ChannelScope>) async throws -> Response {
        let ch = ctx.channel
        var v = Validator(ctx.input)
        let visibility = v.choice("visibility", ["pr", "pu"])
        if visibility == "pu" && ctx.role?.has(.publishObject) != true { throw APIError.forbidden(ContentsRoutes.noPublish) }
        let title = v.requiredString("title", maxLength: 100)
        let description = v.requiredString("description", maxLength: 300)
        let allowComment = v.bool("allow_comment")
        let thumbnail = v.image("thumbnail", limitMB: services.configuration.imageLimitMB)
        let upload = validateFile(ctx.input, role: ctx.caller.role, into: &v.errors)
        try v.finish()
        guard let (file, ext) = upload else { throw APIError.field("file", FieldMessage.required) }

        let caller = ctx.caller
        let token = SecureRandom.uuidV4()
        var stored = StoredFiles(services.media)
        do {
            // The file's name is the item's token: /media/ finds the item (and its visibility) from the path.
            let path = "\(kind.folder)/\(token).\(ext)"
            try stored.store(file, as: path)
            let new = ContentsStore.NewContent(
                token: token, kind: kind, channelId: ch.id, userId: caller.id, title: title, description: description,
                file: path, thumbnail: try stored.store(thumbnail, folder: "thumbnails"), published: visibility == "pu",
                allowComment: allowComment ?? true, date: Clock.nowMicros())
            let (mailer, kind) = (services.mailer, self.kind)
            let link = "\(services.domain)/\(kind.folder)/v1/\(ch.token)/\(token)/"
            try await services.store.write { c in
                try ContentsStore.insert(new, c)
                var recipients = [(email: caller.email, name: caller.displayName)]
                if ch.ownerId != caller.id, let owner = try AccountsStore.contact(userId: ch.ownerId, c) {
                    recipients.append((owner.email, owner.name))
                }
                try ContentsMail.queueAdded(c, mailer: mailer, kind: kind, title: title, channelTitle: ch.title,
                                            link: link, recipients: recipients)
            }
            mailer.wake()
        } catch {
            stored.rollBack()
            throw error
        }
        return json.created(try ItemScope.content(kind, token, services))
    }

    private func update(_ ctx: Context<ItemScope>, partial: Bool) async throws -> Response {
        let item = ctx.item
        var v = Validator(ctx.input, partial: partial)
        let visibility = v.choice("visibility", ["pr", "pu"])
        if visibility == "pu" && !item.isPublished && ctx.role?.has(.publishObject) != true {
            throw APIError.forbidden(ContentsRoutes.noPublish)
        }
        let title = v.string("title", required: true, maxLength: 100)
        let description = v.string("description", required: true, maxLength: 300)
        let allowComment = v.bool("allow_comment")
        let thumbnail = v.image("thumbnail", limitMB: services.configuration.imageLimitMB)
        try v.finish()
        var stored = StoredFiles(services.media)
        do {
            let thumbnailPath = try stored.store(thumbnail, folder: "thumbnails") ?? item.thumbnail
            let published = visibility.map { $0 == "pu" } ?? item.isPublished
            try await services.store.write { c in
                try ContentsStore.update(id: item.id, title: title ?? item.title, description: description ?? item.description,
                                         thumbnail: thumbnailPath, published: published,
                                         allowComment: allowComment ?? item.allowComment, c)
            }
        } catch {
            stored.rollBack()
            throw error
        }
        if !stored.paths.isEmpty { services.media.remove(item.thumbnail) }
        // The answer has the detail's shape, without recording a view.
        return try await json.detail(try ItemScope.content(kind, item.token, services), ctx.channel)
    }
}

/// Deleting an item, the same from the API and the administration panel.
enum ContentRemoval {
    /// Removes the item's row (votes, views and comments by cascade), what the caches hold for it, its files.
    static func delete(_ item: ContentRecord, _ services: Services) async throws {
        try await services.store.write { c in try ContentsStore.delete(id: item.id, c) }
        await services.forgetContents([item.id])
        services.media.remove(item.file)
        services.media.remove(item.thumbnail)
    }
}
