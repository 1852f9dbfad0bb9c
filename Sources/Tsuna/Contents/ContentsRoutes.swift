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
        let fields = ContentFields(kind: kind, config)
        // Only videos are throttled (per user), as the original did.
        let throttle = Throttle.perUser(kind == .video ? services.videoThrottle : nil)
        // Files over the caller's own limit but within the route's get the field message, not a 413.
        let upload = BodySpec.files(maxFileMB: max(kind.largestLimitMB(config), config.imageLimitMB), fields.create)
        let edit = BodySpec.files(maxFileMB: config.imageLimitMB, fields.update)
        let privateItem = Answer.refused(403, ItemScope.privateContent)
        api.route("GET", base, .channel, query: [ContentFields.titleFilter, ContentFields.showPrivate], throttle: throttle,
                  answers: [.page(.contentRow, "A page of the channel's \(kind.folder), newest first."),
                            .refused(403, ChannelScope.notAdmin)],
                  summary: "Published \(kind.folder) of a channel, newest first (?title=, ?show_private=true for admins)",
                  tags: tags, list)
        api.route("POST", base, .channel, .permission(.addObject, ContentsRoutes.noAdd, notAdmin: ChannelScope.notAdmin),
                  body: upload, throttle: throttle,
                  answers: [.created(.contentCreated, "The new \(kind.word); mails are queued."),
                            .refused(403, ContentsRoutes.noPublish)],
                  summary: "Upload a \(kind.word) (admins with can_add_object)", tags: tags, create)
        api.route("GET", base + ":token/", .channelItem(kind, visibility: .checked), throttle: throttle,
                  answers: [.ok(.content, "The \(kind.word) with its counts."), privateItem],
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
                      .permission(.editObject, ContentsRoutes.noUpdate), body: edit, throttle: throttle,
                      answers: [.ok(.content, "The updated \(kind.word) (no view is recorded)."),
                                .refused(403, ContentsRoutes.noPublish)],
                      summary: "Update a \(kind.word) (admins with can_edit_object)", tags: tags) {
                try await update($0, partial: method == "PATCH")
            }
        }
        api.route("DELETE", base + ":token/", .channelItem(kind, visibility: .unchecked),
                  .permission(.deleteObject, ContentsRoutes.noDelete), throttle: throttle,
                  answers: [.deleted("The \(kind.word) and its votes, views, comments and files are deleted.")],
                  summary: "Delete a \(kind.word) with its votes, views, comments and files", tags: tags) { ctx in
            try await ContentRemoval.delete(ctx.item, services)
            return Response(status: 204)
        }
    }

    private func list(_ ctx: Context<ChannelScope>) throws -> Response {
        let ch = ctx.channel
        let showPrivate = ctx.query(ContentFields.showPrivate.name).flatMap(Validator.parseBool) ?? false
        if showPrivate, try services.channelRole(ch, ctx.caller) == nil {
            throw APIError.forbidden(ChannelScope.notAdmin)
        }
        let page = ctx.page
        let title = ctx.query(ContentFields.titleFilter.name)
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
        let name = ContentFields.fileName
        guard let file = input.file(name) else {
            errors.add(name, input[name] == nil ? FieldMessage.required : ContentsRoutes.notAFile)
            return nil
        }
        let config = services.configuration
        let (limit, overflow) = kind.limitMB(role, config).multipliedReportingOverflow(by: 1_048_576)
        if !overflow && file.size > limit {
            errors.add(name, kind.limitMessage(role, config))
            return nil
        }
        guard let ext = ContentFormat.fileExtension(file.firstBytes(ContentFormat.sniffLength), kind: kind) else {
            errors.add(name, ContentsRoutes.unsupported)
            return nil
        }
        return (file, ext)
    }

    private func create(_ ctx: Context<ChannelScope>) async throws -> Response {
        let ch = ctx.channel
        let fields = ContentFields(kind: kind, services.configuration)
        var v = Validator(ctx.input)
        let visibility = v.choice(ContentFields.visibility)
        if visibility == "pu" && ctx.role?.has(.publishObject) != true { throw APIError.forbidden(ContentsRoutes.noPublish) }
        let title = v.requiredText(ContentFields.title)
        let description = v.requiredText(ContentFields.description)
        let allowComment = v.bool(ContentFields.allowComment)
        let thumbnail = v.image(fields.thumbnail)
        let upload = validateFile(ctx.input, role: ctx.caller.role, into: &v.errors)
        try v.finish()
        guard let (file, ext) = upload else { throw APIError.field(ContentFields.fileName, FieldMessage.required) }

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
        let fields = ContentFields(kind: kind, services.configuration)
        var v = Validator(ctx.input, partial: partial)
        let visibility = v.choice(ContentFields.visibility)
        if visibility == "pu" && !item.isPublished && ctx.role?.has(.publishObject) != true {
            throw APIError.forbidden(ContentsRoutes.noPublish)
        }
        let title = v.text(ContentFields.title)
        let description = v.text(ContentFields.description)
        let allowComment = v.bool(ContentFields.allowComment)
        let thumbnail = v.image(fields.thumbnail)
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

/// An item's fields: the validator's limits and the document's are these.
struct ContentFields {
    static let title = BodyField.text("title", maxLength: 100, required: true)
    static let description = BodyField.text("description", maxLength: 300, required: true)
    static let visibility = BodyField.choice("visibility", ["pr", "pu"], default: "pr",
                                             about: "pr: private, pu: published (needs can_publish_object).")
    static let allowComment = BodyField.boolean("allow_comment", default: true)
    static let fileName = "file"
    static let titleFilter = BodyField.text("title", about: "Only items with exactly this title.")
    static let showPrivate = BodyField.boolean("show_private", default: false,
                                               about: "true: private items too (the channel's admins only, else 403).")

    let file: BodyField
    let thumbnail: BodyField

    init(kind: ContentKind, _ config: Configuration) {
        let types = kind == .video ? ["video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/ogg"]
                                   : ["audio/mpeg", "audio/aac", "audio/flac", "audio/ogg", "audio/wav", "audio/mp4"]
        let (normal, premium) = (kind.limitMB(.normal, config), kind.limitMB(.premium, config))
        let formats = kind == .video ? "MP4/MOV, WebM/Matroska or Ogg" : "MP3, AAC, FLAC, Ogg, WAV or M4A"
        file = .file(ContentFields.fileName, types, required: true,
                     about: "\(formats), recognised from its first bytes; up to \(normal) MB for normal users, \(premium) MB for premium users and admins.")
        thumbnail = .image("thumbnail", limitMB: config.imageLimitMB)
    }

    var create: [BodyField] {
        [ContentFields.title, ContentFields.description, file, thumbnail, ContentFields.visibility, ContentFields.allowComment]
    }
    /// The file cannot be replaced.
    var update: [BodyField] {
        [ContentFields.title, ContentFields.description, thumbnail, ContentFields.visibility, ContentFields.allowComment]
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
