/// The two kinds of content (SPEC section 7): the value is `contents.kind` and the API's `content_type_id`.
enum ContentKind: Int64, Sendable {
    case video = 1
    case music = 2

    /// A `<ct>` path segment: `1`/`video` or `2`/`music`; nil for anything else.
    init?(pathSegment s: String) {
        switch s {
        case "1", "video": self = .video
        case "2", "music": self = .music
        default: return nil
        }
    }

    /// Singular word used in messages ("videos", "musics" for the plural).
    var word: String { self == .video ? "video" : "music" }
    /// The media folder and the API prefix segment.
    var folder: String { self == .video ? "videos" : "musics" }

    /// The caller's file limit in MB: premium and admins get the premium limit.
    func limitMB(_ role: Role, _ config: Configuration) -> Int {
        switch (self, role) {
        case (.video, .normal): return config.videoLimitNormalMB
        case (.video, _): return config.videoLimitPremiumMB
        case (.music, .normal): return config.musicLimitNormalMB
        case (.music, _): return config.musicLimitPremiumMB
        }
    }

    /// The largest file any caller may send for this kind, in MB.
    func largestLimitMB(_ config: Configuration) -> Int {
        self == .video ? max(config.videoLimitNormalMB, config.videoLimitPremiumMB)
                       : max(config.musicLimitNormalMB, config.musicLimitPremiumMB)
    }

    /// `<Role> users can upload <videos|musics> up to <N>MB.` (admins get the premium wording).
    func limitMessage(_ role: Role, _ config: Configuration) -> String {
        "\(role == .normal ? "Normal" : "Premium") users can upload \(folder) up to \(limitMB(role, config))MB."
    }

    static let notFoundMessage = "Content type not found."
}

/// Recognises content files from their first bytes; the result is the stored file's extension.
enum ContentFormat {
    /// Bytes to read from the start of an upload.
    static let sniffLength = 16

    /// The extension for a recognised file of `kind`, nil when the bytes are not a supported format.
    static func fileExtension(_ b: [UInt8], kind: ContentKind) -> String? {
        switch kind {
        case .video:
            if isFtyp(b) { return isQuickTime(b) ? "mov" : "mp4" }
            if hasPrefix(b, [0x1A, 0x45, 0xDF, 0xA3]) { return "webm" }
            if hasPrefix(b, Array("OggS".utf8)) { return "ogv" }
            return nil
        case .music:
            if hasPrefix(b, Array("ID3".utf8)) { return "mp3" }
            if hasPrefix(b, Array("fLaC".utf8)) { return "flac" }
            if hasPrefix(b, Array("OggS".utf8)) { return "ogg" }
            if b.count >= 12, hasPrefix(b, Array("RIFF".utf8)), Array(b[8..<12]) == Array("WAVE".utf8) { return "wav" }
            if isFtyp(b) { return "m4a" }
            if b.count >= 2, b[0] == 0xFF {
                // ADTS (AAC) sync: FFF1 / FFF9 (layer bits 00); other FFEx/FFFx with a layer are MPEG audio frames.
                if b[1] == 0xF1 || b[1] == 0xF9 { return "aac" }
                if b[1] & 0xE0 == 0xE0 && b[1] & 0x06 != 0 { return "mp3" }
            }
            return nil
        }
    }

    private static func hasPrefix(_ b: [UInt8], _ p: [UInt8]) -> Bool {
        b.count >= p.count && Array(b[0..<p.count]) == p
    }

    private static func isFtyp(_ b: [UInt8]) -> Bool {
        b.count >= 12 && Array(b[4..<8]) == Array("ftyp".utf8)
    }

    private static func isQuickTime(_ b: [UInt8]) -> Bool {
        Array(b[8..<12]) == Array("qt  ".utf8)
    }
}
