import HTTP
import JSON

/// Content files under `/media/`: published ones for anyone, private ones behind an expiring signature.
enum ContentMedia {
    /// How long a signed URL of a private file stays valid: between one and two hours, so the URL is stable
    /// within an hour (clients and proxies can cache it).
    static let signedURLPeriod: Int64 = 3600

    /// The absolute URL of the item's file; a private file's URL carries an expiring signature.
    static func fileURL(_ item: ContentRecord, _ services: Services) -> String {
        let path = "/media/" + item.file
        if item.isPublished { return services.domain + path }
        let expires = (Clock.nowSeconds() / signedURLPeriod + 2) * signedURLPeriod
        return services.domain + path + "?" + services.urlSigner.query(path: path, expires: expires)
    }

    /// Who may fetch a file under `/media/`.
    enum Access {
        /// Images and published content files: anyone, and shared caches may keep them.
        case everyone
        /// A private content file with a valid signature: this client only, never a shared cache.
        case signedPrivate
        /// A private content file without a valid signature.
        case forbidden
        /// The path names a content file that does not exist.
        case missing
    }

    static func access(relative rawPath: String, expires: String?, signature: String?, _ services: Services) throws -> Access {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = segments.first, let folder = PercentEncoding.decode(first, plusAsSpace: false),
              folder == ContentKind.video.folder || folder == ContentKind.music.folder else { return .everyone }
        guard segments.count == 2, let name = PercentEncoding.decode(segments[1], plusAsSpace: false),
              let stem = name.split(separator: ".", maxSplits: 1).first,
              let token = TokenFormat.normalized(String(stem)),
              let published = try services.store.read({ try ContentsStore.isPublished(token: token, $0) }) else { return .missing }
        if published { return .everyone }
        let valid = services.urlSigner.verify(path: "/media/" + rawPath, expires: expires, signature: signature,
                                              now: Clock.nowSeconds())
        return valid ? .signedPrivate : .forbidden
    }
}
