#if canImport(Glibc)
import Glibc
#endif

/// multipart/form-data (RFC 7578 over RFC 2046) for request bodies in memory or spilled to disk.
public enum MultipartParser {
    /// Bodies on disk are read in chunks of this size; memory use does not grow with the body.
    static let defaultReadChunkBytes = 64 * 1024

    /// The `boundary` parameter of a `multipart/...` Content-Type (quoted or token), if valid per RFC 2046:
    /// 1–70 characters from its boundary alphabet, not ending in a space.
    public static func boundary(fromContentType contentType: String) -> String? {
        guard let parsed = HeaderParameters(Array(contentType.utf8)),
              parsed.type.hasPrefix("multipart/"),
              let value = parsed.first("boundary"),
              isValidBoundary(value) else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// Parses `body` into fields and files. Files above `limits.memoryThreshold` are written to new files in
    /// `temporaryDirectory`; on any error every file the parser created is removed before it throws.
    public static func parse(_ body: RequestBody, boundary: String, limits: MultipartLimits,
                             temporaryDirectory: String) throws(MultipartError) -> MultipartForm {
        try parse(body, boundary: boundary, limits: limits, temporaryDirectory: temporaryDirectory,
                  readChunkBytes: defaultReadChunkBytes)
    }

    /// `parse` with a chosen read size for file bodies (tests use tiny reads to split the body everywhere).
    static func parse(_ body: RequestBody, boundary: String, limits: MultipartLimits,
                      temporaryDirectory: String, readChunkBytes: Int) throws(MultipartError) -> MultipartForm {
        guard isValidBoundary(Array(boundary.utf8)) else { throw .missingBoundary }
        var scanner = MultipartScanner(boundary: boundary, limits: limits,
                                       assembler: FormAssembler(limits: limits, temporaryDirectory: temporaryDirectory))
        do throws(MultipartError) {
            switch body {
            case .empty:
                _ = try scanner.feed(UnsafeRawBufferPointer(start: nil, count: 0), atEOF: true)
            case .bytes(let bytes):
                var failure: MultipartError?
                bytes.withUnsafeBytes { window in
                    do throws(MultipartError) { _ = try scanner.feed(window, atEOF: true) } catch { failure = error }
                }
                if let failure { throw failure }
            case .file(let file):
                try scan(file: file.path, chunkBytes: max(readChunkBytes, 1), with: &scanner)
            }
            guard scanner.isDone else { throw .malformedBody("the body ends before the closing boundary.") }
        } catch {
            scanner.assembler.discardTemporaryFiles()
            throw error
        }
        return scanner.assembler.finish()
    }

    /// Feeds a file to the scanner in `chunkBytes` reads, carrying unconsumed bytes to the next window.
    private static func scan(file path: String, chunkBytes: Int, with scanner: inout MultipartScanner) throws(MultipartError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .storageFailed("cannot open the request body: \(UploadFileIO.lastErrorText())") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 2 * chunkBytes)
        var filled = 0
        while !scanner.isDone {
            if buffer.count - filled < chunkBytes {
                buffer.append(contentsOf: repeatElement(0, count: chunkBytes - (buffer.count - filled)))
            }
            let n = buffer.withUnsafeMutableBytes {
                UploadFileIO.readSome(fd, UnsafeMutableRawBufferPointer(rebasing: $0[filled..<(filled + chunkBytes)]))
            }
            guard n >= 0 else { throw .storageFailed("cannot read the request body: \(UploadFileIO.lastErrorText())") }
            filled += n
            var consumed = 0
            var failure: MultipartError?
            buffer.withUnsafeBytes { all in
                do throws(MultipartError) { consumed = try scanner.feed(UnsafeRawBufferPointer(rebasing: all[0..<filled]), atEOF: n == 0) }
                catch { failure = error }
            }
            if let failure { throw failure }
            if n == 0 { break }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { all in
                    if let base = all.baseAddress { memmove(base, base + consumed, filled - consumed) }
                }
                filled -= consumed
            }
        }
    }

    /// RFC 2046 §5.1.1: 1–70 of DIGIT ALPHA ' ( ) + _ , - . / : = ? and space, the last not a space.
    static func isValidBoundary(_ b: [UInt8]) -> Bool {
        guard (1...70).contains(b.count), b.last != 0x20 else { return false }
        return b.allSatisfy { c in
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return "'()+_,-./:=? ".utf8.contains(c)
            }
        }
    }
}
