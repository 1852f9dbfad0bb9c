/// The image formats accepted for uploads.
public enum ImageKind: String, Sendable {
    case png, jpeg, gif, webp

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .gif: return "gif"
        case .webp: return "webp"
        }
    }

    /// The media type to serve it with.
    public var mimeType: String {
        switch self {
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .gif: return "image/gif"
        case .webp: return "image/webp"
        }
    }
}

/// Recognises an image from its first bytes (magic numbers only; 12 bytes suffice).
public enum ImageSniffer {
    /// The image kind `firstBytes` begin with, or nil.
    public static func kind(of firstBytes: [UInt8]) -> ImageKind? {
        let b = firstBytes
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return .gif }
        if b.count >= 12 && b.starts(with: Array("RIFF".utf8)) && b[8..<12].elementsEqual("WEBP".utf8) { return .webp }
        return nil
    }
}
