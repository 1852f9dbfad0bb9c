#if canImport(Glibc)
import Glibc
#endif

/// Collects the parts the scanner finds into fields and files, enforcing the size limits and spilling
/// large files to temporary files. Until `finish()` it owns every file it created, and
/// `discardTemporaryFiles()` removes them all (the parser calls it on any error).
struct FormAssembler {
    private let maxFieldBytes: Int
    private let maxFileBytes: Int
    private let memoryThreshold: Int
    private let temporaryDirectory: String

    private var fields: [(name: String, value: String)] = []
    private var files: [FinishedFile] = []
    private var current = Part.ignored
    /// Every temporary file created so far, finished or not.
    private var createdPaths: [String] = []
    /// The open temporary file of the current part, or -1.
    private var openFd: Int32 = -1

    private enum Part {
        case ignored
        case field(name: String, value: [UInt8])
        case file(SpoolingFile)
    }

    private struct SpoolingFile {
        let fieldName: String
        let filename: String
        let contentType: String?
        var memory: [UInt8] = []
        var path: String?
        var size = 0
    }

    private struct FinishedFile {
        let fieldName: String
        let filename: String
        let contentType: String?
        let size: Int
        let memory: [UInt8]
        let path: String?
    }

    init(limits: MultipartLimits, temporaryDirectory: String) {
        maxFieldBytes = max(limits.maxFieldBytes, 0)
        maxFileBytes = max(limits.maxFileBytes, 0)
        memoryThreshold = max(limits.memoryThreshold, 0)
        self.temporaryDirectory = temporaryDirectory
    }

    /// Starts a part. A part without a name, or a file whose name sanitises to nothing (a browser's empty
    /// file input), is ignored: its data is skipped.
    mutating func begin(_ headers: PartHeaders) {
        guard let name = headers.name else { current = .ignored; return }
        guard let rawFilename = headers.filename else { current = .field(name: name, value: []); return }
        let filename = FilenameSanitizer.sanitize(rawFilename)
        if filename.isEmpty { current = .ignored; return }
        current = .file(SpoolingFile(fieldName: name, filename: filename, contentType: headers.contentType))
    }

    /// Adds data to the current part.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(MultipartError) {
        guard !bytes.isEmpty else { return }
        switch current {
        case .ignored:
            return
        case .field(let name, var value):
            guard bytes.count <= maxFieldBytes - value.count else { throw .fieldTooLarge(name) }
            current = .ignored                       // keeps `value` uniquely referenced while appending
            value.append(contentsOf: bytes)
            current = .field(name: name, value: value)
        case .file(var file):
            guard bytes.count <= maxFileBytes - file.size else { throw .fileTooLarge(field: file.fieldName) }
            current = .ignored
            try appendToFile(&file, bytes)
            current = .file(file)
        }
    }

    private mutating func appendToFile(_ file: inout SpoolingFile, _ bytes: UnsafeRawBufferPointer) throws(MultipartError) {
        if file.path == nil && file.size + bytes.count <= memoryThreshold {
            file.memory.append(contentsOf: bytes)
            file.size += bytes.count
            return
        }
        if file.path == nil {
            guard let created = UploadFileIO.createUnique(in: temporaryDirectory, prefix: "multipart-") else {
                throw .storageFailed("cannot create a temporary file in \(temporaryDirectory): \(UploadFileIO.lastErrorText())")
            }
            createdPaths.append(created.path)
            openFd = created.fd
            file.path = created.path
            let spilled = file.memory.withUnsafeBytes { UploadFileIO.writeAll(openFd, $0) }
            guard spilled else { throw writeFailure() }
            file.memory = []
        }
        guard UploadFileIO.writeAll(openFd, bytes) else { throw writeFailure() }
        file.size += bytes.count
    }

    private func writeFailure() -> MultipartError {
        .storageFailed("cannot write a temporary file: \(UploadFileIO.lastErrorText())")
    }

    /// Ends the current part: a field must be valid UTF-8; a file is closed and kept.
    mutating func end() throws(MultipartError) {
        let part = current
        current = .ignored
        switch part {
        case .ignored:
            return
        case .field(let name, let value):
            guard let text = String(validating: value, as: UTF8.self) else {
                throw .malformedBody("the value of the field \"\(name)\" is not valid UTF-8.")
            }
            fields.append((name, text))
        case .file(let file):
            if openFd >= 0 {
                let closed = close(openFd)
                openFd = -1
                guard closed == 0 else { throw writeFailure() }
            }
            files.append(FinishedFile(fieldName: file.fieldName, filename: file.filename, contentType: file.contentType,
                                      size: file.size, memory: file.memory, path: file.path))
        }
    }

    /// The form; from here on the temporary files belong to the returned `MultipartFile`s.
    mutating func finish() -> MultipartForm {
        let result = files.map { f -> MultipartFile in
            let storage: MultipartFile.Storage
            if let path = f.path {
                storage = .file(TemporaryFile(path: path, length: f.size))
            } else {
                storage = .memory(f.memory)
            }
            return MultipartFile(fieldName: f.fieldName, filename: f.filename, contentType: f.contentType,
                                 size: f.size, storage: storage)
        }
        createdPaths = []
        files = []
        return MultipartForm(fields: fields, files: result)
    }

    /// Closes and removes every temporary file created so far.
    mutating func discardTemporaryFiles() {
        if openFd >= 0 { close(openFd); openFd = -1 }
        for path in createdPaths { unlink(path) }
        createdPaths = []
        files = []
        current = .ignored
    }
}
