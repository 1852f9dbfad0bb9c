import XCTest
import TestSupport
@testable import HTTP

/// Where parsed files live (memory or temporary file), bodies given as files, persist and cleanup.
final class MultipartStorageTests: XCTestCase {
    private var dir: MultipartTempDirectory!
    private var uploads: String { dir.subdirectory("uploads") }

    override func setUpWithError() throws { dir = try MultipartTempDirectory() }
    override func tearDown() { dir.remove() }

    private func limits(threshold: Int, maxFile: Int = 1 << 30) -> MultipartLimits {
        var l = MultipartLimits(maxFileBytes: maxFile)
        l.memoryThreshold = threshold
        return l
    }

    func testFilesAtTheThresholdStayInMemoryAndLargerOnesGoToDisk() throws {
        var random = SeededRandom(seed: 1)
        let small = random.bytes(1000), large = random.bytes(1001)
        var b = MultipartBodyBuilder()
        b.file("small", filename: "s.bin", data: small)
        b.file("large", filename: "l.bin", data: large)
        let form = try MultipartParser.parse(.bytes(b.closed()), boundary: b.boundary,
                                             limits: limits(threshold: 1000), temporaryDirectory: uploads)
        let s = try XCTUnwrap(form.file("small")), l = try XCTUnwrap(form.file("large"))
        guard case .memory(let inMemory) = s.storage else { return XCTFail("small file should stay in memory") }
        XCTAssertEqual(inMemory, small)
        guard case .file(let onDisk) = l.storage else { return XCTFail("large file should be on disk") }
        XCTAssertEqual(onDisk.length, 1001)
        XCTAssertEqual(l.size, 1001)
        XCTAssertEqual(MultipartTestSupport.contents(onDisk.path), large)
        XCTAssertTrue(onDisk.path.hasPrefix(uploads + "/"))
        XCTAssertEqual(l.firstBytes(4), Array(large.prefix(4)))
        XCTAssertEqual(dir.entries().count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads).count, 1)
    }

    func testTemporaryFilesAreRemovedWhenTheFormIsReleased() throws {
        var b = MultipartBodyBuilder()
        b.file("a", filename: "a.bin", data: [UInt8](repeating: 7, count: 100))
        b.file("b", filename: "b.bin", data: [UInt8](repeating: 8, count: 100))
        do {
            let form = try MultipartParser.parse(.bytes(b.closed()), boundary: b.boundary,
                                                 limits: limits(threshold: 10), temporaryDirectory: uploads)
            XCTAssertEqual(form.files.count, 2)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads).count, 2)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads), [])
    }

    func testBodyGivenAsAFileParsesLikeBytes() throws {
        var random = SeededRandom(seed: 2)
        let data = random.bytes(300_000)
        var b = MultipartBodyBuilder(preamble: "ignored preamble")
        b.field("title", "clip")
        b.file("file", filename: "clip.bin", data: data)
        b.field("visibility", "pu")
        let body = try MultipartTestSupport.fileBody(b.closed(), in: dir.path)
        let form = try MultipartParser.parse(body, boundary: b.boundary, limits: limits(threshold: 1024),
                                             temporaryDirectory: uploads)
        XCTAssertEqual(form.fields.map(\.value), ["clip", "pu"])
        let file = try XCTUnwrap(form.file("file"))
        guard case .file = file.storage else { return XCTFail("expected a temporary file") }
        XCTAssertEqual(MultipartTestSupport.bytes(of: file), data)
    }

    func testEveryReadSizeGivesTheSameResult() throws {
        // Tiny reads split the body at every position: delimiters, header blocks and lookahead straddle windows.
        var b = MultipartBodyBuilder(boundary: "xyz")
        b.field("a", "alpha")
        b.file("f", filename: "f.bin", data: Array("data\r\n--xyzq\r\n--xy\r\r\n".utf8))
        b.part(headers: ["Content-Disposition: form-data; name=\"empty\""], data: [])
        b.field("z", "omega")
        let bytes = b.closed(epilogue: "")
        let body = try MultipartTestSupport.fileBody(bytes, in: dir.path)
        for chunk in 1...40 {
            let form = try MultipartParser.parse(body, boundary: "xyz", limits: limits(threshold: 4),
                                                 temporaryDirectory: uploads, readChunkBytes: chunk)
            XCTAssertEqual(form.fields.map(\.value), ["alpha", "", "omega"], "chunk \(chunk)")
            XCTAssertEqual(form.file("f").map(MultipartTestSupport.bytes(of:)), Array("data\r\n--xyzq\r\n--xy\r\r\n".utf8))
        }
    }

    func testTwentyMegabyteFileFromAFileBodyStreamsToDisk() throws {
        let pieces = 20, pieceSize = 1 << 20, size = pieces * pieceSize
        let boundary = "----big7MA4YWxkTrZu0gW"
        // Each 1 MiB piece: the same random bytes, stamped with its index, and a near-delimiter planted
        // ("\r\n--" + the boundary less its last character) so the scanner must reject candidates.
        var random = SeededRandom(seed: 20)
        var template = random.bytes(pieceSize)
        let decoy = Array("\r\n--\(boundary.dropLast())A".utf8)
        template.replaceSubrange(100..<(100 + decoy.count), with: decoy)
        func piece(_ index: Int) -> Data {
            var bytes = template
            withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            return Data(bytes)
        }
        // Write the body in pieces: neither the test nor the parser holds it whole.
        let bodyPath = dir.path + "/big-body"
        XCTAssertTrue(FileManager.default.createFile(atPath: bodyPath, contents: nil))
        let out = try XCTUnwrap(FileHandle(forWritingAtPath: bodyPath))
        let head = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n".utf8)
        let tail = Data("\r\n--\(boundary)--\r\n".utf8)
        out.write(head)
        for index in 0..<pieces { out.write(piece(index)) }
        out.write(tail)
        try out.close()
        let body = RequestBody.file(TemporaryFile(path: bodyPath, length: head.count + size + tail.count))

        let form = try MultipartParser.parse(body, boundary: boundary, limits: MultipartLimits(maxFileBytes: size),
                                             temporaryDirectory: uploads)
        let file = try XCTUnwrap(form.file("file"))
        XCTAssertEqual(file.size, size)
        guard case .file(let temp) = file.storage else { return XCTFail("a 20 MB file must be on disk") }
        let input = try XCTUnwrap(FileHandle(forReadingAtPath: temp.path))
        defer { try? input.close() }
        for index in 0..<pieces {
            XCTAssertEqual(try input.read(upToCount: pieceSize), piece(index), "piece \(index) differs")
        }
        XCTAssertEqual(try input.readToEnd() ?? Data(), Data())
    }

    func testPersistMovesAFileAndWritesMemoryAtomically() throws {
        var b = MultipartBodyBuilder()
        b.file("small", filename: "s.txt", data: Array("small".utf8))
        b.file("large", filename: "l.txt", data: [UInt8](repeating: 0x61, count: 64))
        let media = dir.subdirectory("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: media + "/old.txt", contents: Data("previous".utf8)))
        do {
            let form = try MultipartParser.parse(.bytes(b.closed()), boundary: b.boundary,
                                                 limits: limits(threshold: 16), temporaryDirectory: uploads)
            try XCTUnwrap(form.file("small")).persist(to: media + "/small.txt")
            try XCTUnwrap(form.file("small")).persist(to: media + "/old.txt")   // replaces
            try XCTUnwrap(form.file("large")).persist(to: media + "/large.txt")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads), [])
            XCTAssertThrowsError(try XCTUnwrap(form.file("small")).persist(to: dir.path + "/missing/x.txt"))
        }
        XCTAssertEqual(MultipartTestSupport.contents(media + "/small.txt"), Array("small".utf8))
        XCTAssertEqual(MultipartTestSupport.contents(media + "/old.txt"), Array("small".utf8))
        XCTAssertEqual(MultipartTestSupport.contents(media + "/large.txt"), [UInt8](repeating: 0x61, count: 64))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: media).sorted(), ["large.txt", "old.txt", "small.txt"])
    }
}
