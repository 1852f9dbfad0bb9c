import FoundationEssentials
import Platform
import HTTP
import JSON
import Security
#if canImport(Glibc)
import Glibc
#endif

/// An accepted image upload and its recognised format.
struct ImageUpload: Sendable {
    let file: MultipartFile
    let kind: ImageKind
}

/// Uploaded files under `<data>/media/<folder>/<uuid>.<ext>`; the database keeps the relative path and the API
/// shows `<domain>/media/<relative path>`. Client file names are never used as paths.
final class MediaStorage: Sendable {
    let directory: String
    let site: Site

    init(directory: String, site: Site) {
        self.directory = directory
        self.site = site
    }

    func url(_ relative: String?) -> String? {
        relative.map { "\(site.domain)/media/\($0)" }
    }

    /// Moves an uploaded image into `folder` under a fresh name; returns the relative path.
    func store(_ image: ImageUpload, folder: String) throws -> String {
        try store(image.file, as: "\(folder)/\(SecureRandom.uuidV4()).\(image.kind.fileExtension)")
    }

    /// Moves an uploaded file to `relative` (its folder is created when missing); returns `relative`.
    func store(_ file: MultipartFile, as relative: String) throws -> String {
        let path = directory + "/" + relative
        let folder = Paths.deletingLastComponent(path)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try file.persist(to: path)
        return relative
    }

    func remove(_ relative: String?) {
        guard let relative, !relative.isEmpty, !relative.contains("..") else { return }
        unlink(directory + "/" + relative)
    }

    func remove(_ paths: [String]) {
        for p in paths { remove(p) }
    }
}

/// Files stored during a request that must go again if the request fails before it commits.
struct StoredFiles {
    private(set) var paths: [String] = []
    let media: MediaStorage

    init(_ media: MediaStorage) { self.media = media }

    /// Stores the image when there is one; returns its relative path.
    mutating func store(_ image: ImageUpload?, folder: String) throws -> String? {
        guard let image else { return nil }
        let path = try media.store(image, folder: folder)
        paths.append(path)
        return path
    }

    mutating func store(_ file: MultipartFile, as relative: String) throws {
        paths.append(try media.store(file, as: relative))
    }

    /// The request failed: remove what it stored.
    func rollBack() { media.remove(paths) }
}
