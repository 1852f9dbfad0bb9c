// libFuzzer harness: the multipart/form-data parser.
//
// Input: byte 0 picks the read size for a body on disk, bytes 1 and 2 the limits and the memory
// threshold; then a line (up to LF) that is either a Content-Type value ("multipart/form-data;
// boundary=...", run through `MultipartParser.boundary(fromContentType:)`) or the boundary itself;
// the rest is the body. The body is parsed twice: from memory in one piece, and from a file read in
// small chunks (the unconsumed rest of each read carried to the next, as for a spilled request body).
// Both must give the same form or the same error; every limit holds; files above the memory threshold
// are on disk with the right bytes; and once the forms are gone the spill directory is empty and no
// file descriptor is left open: an error removes every file the parser made.
#if canImport(Glibc)
import Glibc
#endif
@testable import HTTP

private let spillDirectory = makeTemporaryDirectory("tsuna-fuzz-spill")
private let bodyDirectory = makeTemporaryDirectory("tsuna-fuzz-body")
nonisolated(unsafe) private var bodyCounter = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let c0 = input.byte(), c1 = input.byte(), c2 = input.byte()
    let rest = input.rest
    guard let newline = rest.firstIndex(of: 0x0A) else { return 0 }
    var line = rest[..<newline]
    if line.last == 0x0D { line = line.dropLast() }
    let body = Array(rest[(newline + 1)...])

    let boundary: String
    let lineText = String(decoding: line, as: UTF8.self)
    if lineText.lowercased().hasPrefix("multipart/") || line.contains(UInt8(ascii: ";")) {
        guard let found = MultipartParser.boundary(fromContentType: lineText) else { return 0 }
        fuzzCheck(MultipartParser.isValidBoundary(Array(found.utf8)), "boundary(fromContentType:) returned an invalid boundary \(found)")
        boundary = found
    } else {
        boundary = lineText
    }

    var limits = MultipartLimits(maxFileBytes: [0, 16, 300, 1 << 20][Int(c1 & 3)])
    limits.maxParts = [1, 2, 5, 32][Int(c1 >> 2 & 3)]
    limits.maxPartHeaderBytes = [0, 40, 200, 8 * 1024][Int(c1 >> 4 & 3)]
    limits.maxFieldBytes = [0, 8, 300, 1 << 20][Int(c1 >> 6 & 3)]
    limits.memoryThreshold = [0, 1, 16, 256 * 1024][Int(c2 & 3)]
    let readSize = c0 == 0 ? 64 * 1024 : Int(c0 & 0x7F) + 1

    let descriptors = openDescriptorCount()
    do {
        let inMemory = parse(body.isEmpty ? .empty : .bytes(body), boundary, limits, readSize: readSize)
        checkSpill(inMemory, limits)
        let fromDisk = parse(.file(writeBody(body)), boundary, limits, readSize: readSize)
        fuzzCheck(inMemory.outcome == fromDisk.outcome,
                  "from memory: \(inMemory.outcome)\nfrom disk in \(readSize)-byte reads: \(fromDisk.outcome)")
    }
    // Every form is gone: its temporary files must be too, and the body file.
    let left = directoryEntries(spillDirectory) + directoryEntries(bodyDirectory)
    fuzzCheck(left.isEmpty, "files left behind: \(left)")
    fuzzCheck(openDescriptorCount() == descriptors, "file descriptors leaked: \(descriptors) → \(openDescriptorCount())")
    return 0
}

private struct Parsed {
    var form: MultipartForm?
    var outcome: Outcome
}

private enum Outcome: Equatable, CustomStringConvertible {
    case failed(MultipartError)
    case form(fields: [String], files: [String])

    var description: String {
        switch self {
        case .failed(let error): return "error \(error)"
        case .form(let fields, let files): return "fields \(fields), files \(files)"
        }
    }
}

private func parse(_ body: RequestBody, _ boundary: String, _ limits: MultipartLimits, readSize: Int) -> Parsed {
    let before = directoryEntries(spillDirectory).sorted()
    do {
        let form = try MultipartParser.parse(body, boundary: boundary, limits: limits,
                                             temporaryDirectory: spillDirectory, readChunkBytes: readSize)
        let fields = form.fields.map { "\($0.name)=\(Array($0.value.utf8))" }
        let files = form.files.map { file in
            "\(file.fieldName) \(file.filename) \(file.contentType ?? "<nil>") \(file.size) \(contents(of: file))"
        }
        return Parsed(form: form, outcome: .form(fields: fields, files: files))
    } catch {
        let after = directoryEntries(spillDirectory).sorted()
        fuzzCheck(after == before, "\(error) left temporary files: \(after) (before: \(before))")
        return Parsed(form: nil, outcome: .failed(error))
    }
}

/// The bytes of a file, wherever they are.
private func contents(of file: MultipartFile) -> [UInt8] {
    switch file.storage {
    case .memory(let bytes):
        return bytes
    case .file(let temporary):
        let fd = open(temporary.path, O_RDONLY)
        fuzzCheck(fd >= 0, "cannot open the spilled file \(temporary.path)")
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: file.size + 1)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        fuzzCheck(n == file.size, "the spilled file holds \(n) bytes, the form says \(file.size)")
        return Array(bytes.prefix(n))
    }
}

/// The limits hold, and files are kept where the threshold says.
private func checkSpill(_ parsed: Parsed, _ limits: MultipartLimits) {
    guard let form = parsed.form else { return }
    fuzzCheck(form.fields.count + form.files.count <= limits.maxParts, "more parts than \(limits.maxParts)")
    var spilled = 0
    for field in form.fields {
        fuzzCheck(field.value.utf8.count <= limits.maxFieldBytes, "field \(field.name) over \(limits.maxFieldBytes)")
        fuzzCheck(!field.name.isEmpty, "a field without a name")
    }
    for file in form.files {
        fuzzCheck(file.size <= limits.maxFileBytes, "file \(file.fieldName) of \(file.size) over \(limits.maxFileBytes)")
        fuzzCheck(!file.filename.isEmpty && file.filename.utf8.count <= FilenameSanitizer.maxBytes, "filename \(file.filename)")
        fuzzCheck(!file.filename.contains("/") && !file.filename.contains("\\") && !file.filename.contains("\0"),
                  "unsafe filename \(file.filename)")
        fuzzCheck(file.firstBytes(8) == Array(contents(of: file).prefix(8)), "firstBytes disagrees with the contents")
        switch file.storage {
        case .memory(let bytes):
            fuzzCheck(bytes.count == file.size && file.size <= limits.memoryThreshold, "in memory: \(file.size) bytes")
        case .file(let temporary):
            fuzzCheck(file.size > limits.memoryThreshold, "spilled at \(file.size) bytes, threshold \(limits.memoryThreshold)")
            fuzzCheck(temporary.path.hasPrefix(spillDirectory + "/"), "spilled outside the directory: \(temporary.path)")
            spilled += 1
        }
    }
    let onDisk = directoryEntries(spillDirectory).count
    fuzzCheck(onDisk == spilled, "\(onDisk) temporary files for \(spilled) spilled parts")
}

/// The body as a spilled request body (removed when the last reference goes).
private func writeBody(_ body: [UInt8]) -> TemporaryFile {
    bodyCounter += 1
    let path = "\(bodyDirectory)/body-\(bodyCounter)"
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
    fuzzCheck(fd >= 0, "cannot create \(path)")
    let ok = body.withUnsafeBytes { UploadFileIO.writeAll(fd, $0) }
    close(fd)
    fuzzCheck(ok, "cannot write \(path)")
    return TemporaryFile(path: path, length: body.count)
}
