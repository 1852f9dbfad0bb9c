/// Why a multipart body was refused. Every case but `storageFailed` is the client's fault (400).
public enum MultipartError: Error, Equatable, Sendable {
    /// The Content-Type has no usable `boundary` parameter.
    case missingBoundary
    /// The body does not follow RFC 2046 / RFC 7578; the text says where.
    case malformedBody(String)
    /// More parts than `MultipartLimits.maxParts`.
    case tooManyParts
    /// A part's header block is larger than `MultipartLimits.maxPartHeaderBytes`.
    case partHeadersTooLarge
    /// The named plain field is larger than `MultipartLimits.maxFieldBytes`.
    case fieldTooLarge(String)
    /// The file in the named field is larger than `MultipartLimits.maxFileBytes`.
    case fileTooLarge(field: String)
    /// The server could not read the body or write a temporary file (a 500, not the client's fault).
    case storageFailed(String)

    /// Clear human text for a 400 `{"detail": ...}`.
    public var message: String {
        switch self {
        case .missingBoundary:
            return "Multipart form parse error - Invalid boundary in multipart: None"
        case .malformedBody(let reason):
            return "Multipart form parse error - \(reason)"
        case .tooManyParts:
            return "Multipart form parse error - too many parts."
        case .partHeadersTooLarge:
            return "Multipart form parse error - the headers of a part are too large."
        case .fieldTooLarge(let name):
            return "The field \"\(name)\" is too large."
        case .fileTooLarge(let field):
            return "The file in the field \"\(field)\" is too large."
        case .storageFailed(let reason):
            return "The upload could not be stored: \(reason)"
        }
    }
}
