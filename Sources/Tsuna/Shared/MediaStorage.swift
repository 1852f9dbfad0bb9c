import Foundation
import HTTP
import Security

/// Uploaded files under `<data>/media/<folder>/<uuid>.<ext>`; the database keeps the relative path and the API
/// shows `<domain>/media/<relative path>`. Client file names are never used as paths.
final class MediaStorage: @unchecked Sendable {
    let directory: String
    let site: Site

    init(directory: String, site: Site) {
        self.directory = directory
        self.site = site
    }

    func url(_ relative: String?) -> String? {
        relative.map { "\(site.domain)/media/\($0)" }
    }

    /// Moves an uploaded file into `folder` under a fresh name; returns the relative path.
    func store(_ file: MultipartFile, folder: String, fileExtension: String) throws -> String {
        let dir = directory + "/" + folder
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let relative = "\(folder)/\(SecureRandom.uuidV4()).\(fileExtension)"
        try file.persist(to: directory + "/" + relative)
        return relative
    }

    func remove(_ relative: String?) {
        guard let relative, !relative.isEmpty, !relative.contains("..") else { return }
        unlink(directory + "/" + relative)
    }

    /// Checks an image upload against the configured limit and its first bytes; records the field's message
    /// and returns nil when it is not acceptable.
    static func validateImage(_ file: MultipartFile, field: String, limitMB: Int, into errors: inout FieldErrors) -> ImageKind? {
        if file.size > limitMB * 1_048_576 {
            errors.add(field, "Images can be up to \(limitMB)MB.")
            return nil
        }
        guard let kind = ImageSniffer.kind(of: file.firstBytes(16)) else {
            errors.add(field, "Upload a valid image. The file you uploaded was either not an image or a corrupted image.")
            return nil
        }
        return kind
    }
}
