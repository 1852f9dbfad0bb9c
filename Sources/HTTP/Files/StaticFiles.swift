import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Serves files from one folder: GET and HEAD, `Range` (one range → 206 with `Content-Range`), `ETag` /
/// `If-None-Match`, `Last-Modified` / `If-Modified-Since`, a `Content-Type` from the extension. Never serves
/// anything outside the folder: `..` segments, encoded slashes, NUL bytes and symbolic links are refused.
public struct StaticFiles: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// `rawPath` is the part after the mount point, still percent-encoded (e.g. "pictures/a.png").
    public func respond(to request: Request, rawPath: String) -> Response {
        guard let relative = StaticFiles.safeRelativePath(rawPath) else {
            return request.failureResponse(.fileNotFound)
        }
        let full = root + "/" + relative
        // O_NOFOLLOW refuses a symlink as the last component; realpath checks the folders on the way.
        let fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return request.failureResponse(.fileNotFound) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, isInsideRoot(full) else {
            close(fd)
            return request.failureResponse(.fileNotFound)
        }
        let size = Int(st.st_size)
        let mtime = Int64(st.st_mtim.tv_sec)
        let etag = "\"\(String(UInt64(bitPattern: Int64(st.st_ino)), radix: 16))-\(String(size, radix: 16))-\(String(mtime, radix: 16))\""
        var headers = HTTPHeaders()
        headers.add("Content-Type", StaticFiles.contentType(for: relative))
        headers.add("Accept-Ranges", "bytes")
        headers.add("ETag", etag)
        headers.add("Last-Modified", StaticFiles.httpDate(mtime))
        headers.add("Cache-Control", "public, max-age=3600")

        if let inm = request.headers["If-None-Match"],
           inm.split(separator: ",").contains(where: { let t = $0.trimmingWhitespace(); return t == etag || t == "*" || t == "W/" + etag }) {
            close(fd)
            return Response(status: 304, headers: headers)
        }
        if request.headers["If-None-Match"] == nil, let ims = request.headers["If-Modified-Since"],
           let since = StaticFiles.parseHTTPDate(ims), mtime <= since {
            close(fd)
            return Response(status: 304, headers: headers)
        }
        if let range = request.headers["Range"], ifRangeAllows(request, etag: etag, mtime: mtime) {
            switch StaticFiles.parseRange(range, size: size) {
            case .some(.some(let r)):
                headers.add("Content-Range", "bytes \(r.lowerBound)-\(r.upperBound)/\(size)")
                return Response(status: 206, headers: headers,
                                body: .file(FileRegion(fd: fd, offset: r.lowerBound, length: r.count)))
            case .some(.none):
                close(fd)
                return request.failureResponse(.rangeNotSatisfiable(size: size))
            case .none:
                break  // unparseable or several ranges: serve the whole file (RFC 9110 allows ignoring Range)
            }
        }
        return Response(status: 200, headers: headers, body: size == 0 ? .empty : .file(FileRegion(fd: fd, offset: 0, length: size)))
    }

    private func ifRangeAllows(_ request: Request, etag: String, mtime: Int64) -> Bool {
        guard let ifRange = request.headers["If-Range"] else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == etag }
        return StaticFiles.parseHTTPDate(ifRange) == mtime
    }

    private func isInsideRoot(_ full: String) -> Bool {
        guard let realRoot = realpath(root, nil) else { return false }
        defer { free(realRoot) }
        guard let realFull = realpath(full, nil) else { return false }
        defer { free(realFull) }
        let r = String(cString: realRoot), f = String(cString: realFull)
        return f.hasPrefix(r + "/")
    }

    /// Decodes and checks a request path: no empty, "." or ".." segments, no encoded "/" or "\", no NUL.
    static func safeRelativePath(_ raw: String) -> String? {
        guard !raw.isEmpty, raw.utf8.count < 1024 else { return nil }
        var segments: [String] = []
        for rawSegment in raw.split(separator: "/", omittingEmptySubsequences: false) {
            if rawSegment.isEmpty { return nil }
            guard let segment = PercentEncoding.decode(rawSegment, plusAsSpace: false) else { return nil }
            if segment == "." || segment == ".." || segment.hasPrefix(".") { return nil }
            if segment.contains("/") || segment.contains("\\") || segment.utf8.contains(0) { return nil }
            segments.append(segment)
        }
        return segments.joined(separator: "/")
    }

    /// nil: ignore the header; .some(nil): unsatisfiable; .some(range): serve these bytes (inclusive bounds).
    static func parseRange(_ header: String, size: Int) -> ClosedRange<Int>?? {
        let h = header.trimmingWhitespace()
        guard h.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = h.dropFirst(6)
        if spec.contains(",") { return nil }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let a = parts[0].trimmingWhitespace(), b = parts[1].trimmingWhitespace()
        if a.isEmpty {
            guard let suffix = Int(b), suffix >= 0 else { return nil }
            if suffix == 0 || size == 0 { return .some(nil) }
            return .some(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(a), start >= 0 else { return nil }
        var end = size - 1
        if !b.isEmpty {
            guard let e = Int(b), e >= start else { return nil }
            end = min(e, size - 1)
        }
        if start >= size { return .some(nil) }
        return .some(start...end)
    }

    static func contentType(for path: String) -> String {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "mp4", "m4v": return "video/mp4"
        case "mov": return "video/quicktime"
        case "webm": return "video/webm"
        case "mkv": return "video/x-matroska"
        case "ogv": return "video/ogg"
        case "ogg", "oga", "opus": return "audio/ogg"
        case "mp3": return "audio/mpeg"
        case "aac": return "audio/aac"
        case "flac": return "audio/flac"
        case "wav": return "audio/wav"
        case "m4a": return "audio/mp4"
        case "json": return "application/json"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    static func httpDate(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); other formats → nil (the header is ignored).
    static func parseHTTPDate(_ s: String) -> Int64? {
        let parts = s.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(parts[2])) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day), (1970...9999).contains(year),
              (0..<24).contains(hms[0]), (0..<60).contains(hms[1]), (0...60).contains(hms[2]) else { return nil }
        var tmv = tm()
        tmv.tm_year = Int32(year - 1900)
        tmv.tm_mon = Int32(month)
        tmv.tm_mday = Int32(day)
        tmv.tm_hour = Int32(hms[0])
        tmv.tm_min = Int32(hms[1])
        tmv.tm_sec = Int32(hms[2])
        return Int64(timegm(&tmv))
    }
}
