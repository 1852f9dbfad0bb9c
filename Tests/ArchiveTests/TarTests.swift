import XCTest
import Foundation
import Archive
import TestSupport

/// The tar writer and reader against each other and against GNU tar, both ways.
final class TarTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "tar-test") }
    override func tearDown() { dir.remove() }

    /// A path past ustar's 100 + 155 bytes goes in a pax header.
    let longPath = "media/" + String(repeating: "deep/", count: 60) + "file.bin"

    func writeSample(_ path: String) throws -> [(String, [UInt8])] {
        let files: [(String, [UInt8])] = [
            ("tsuna-backup.txt", Array("format=tsuna-backup 1\n".utf8)),
            ("empty", []),
            ("media/exact-block", [UInt8](repeating: 7, count: 512)),
            ("media/odd", (0..<3000).map { UInt8($0 % 251) }),
            (longPath, Array("far down".utf8)),
        ]
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let writer = TarWriter(fd: fd)
        try writer.addDirectory("media", modified: 1_700_000_000)
        for (name, bytes) in files {
            // Streamed in uneven pieces, as the backup streams files.
            try writer.beginFile(name, size: Int64(bytes.count), modified: 1_700_000_000)
            var at = 0
            while at < bytes.count {
                let end = min(bytes.count, at + 777)
                try writer.write(Array(bytes[at..<end]))
                at = end
            }
            try writer.endFile()
        }
        try writer.finish()
        return files
    }

    func readAll(_ path: String) throws -> [(TarEntry, [UInt8])] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let reader = TarReader(fd: fd)
        var result: [(TarEntry, [UInt8])] = []
        while let entry = try reader.next() {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1000)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
                if n == 0 { break }
                bytes += chunk[0..<n]
            }
            result.append((entry, bytes))
        }
        return result
    }

    func testRoundTripAndGNUTarReadsIt() throws {
        let path = dir.file("a.tar")
        let files = try writeSample(path)
        let entries = try readAll(path)
        XCTAssertEqual(entries.first?.0.kind, .directory)
        XCTAssertEqual(entries.first?.0.path, "media")
        XCTAssertEqual(entries.dropFirst().map(\.0.path), files.map(\.0))
        XCTAssertEqual(entries.dropFirst().map(\.1), files.map(\.1))
        XCTAssertEqual(entries.last?.0.modified, 1_700_000_000)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count % 512, 0)

        guard let tar = findExecutable("tar") else { throw XCTSkip("no tar") }
        let listing = try run(tar, ["-tf", path])
        XCTAssertEqual(listing.status, 0, listing.output)
        XCTAssertTrue(listing.output.contains(longPath), listing.output)
        let out = dir.file("x")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        XCTAssertEqual(try run(tar, ["-xf", path, "-C", out]).status, 0)
        for (name, bytes) in files {
            XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))), bytes, name)
        }
    }

    func testReadsWhatGNUTarWrites() throws {
        guard let tar = findExecutable("tar") else { throw XCTSkip("no tar") }
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src + "/media/pictures", withIntermediateDirectories: true)
        let picture = (0..<5000).map { UInt8($0 % 199) }
        try Data(picture).write(to: URL(fileURLWithPath: src + "/media/pictures/p.png"))
        try Data(longPath.utf8).write(to: URL(fileURLWithPath: src + "/" + String(repeating: "n", count: 120)))
        for format in ["gnu", "pax", "ustar"] {
            let path = dir.file("\(format).tar")
            let r = try run(tar, ["--format=\(format)", "-cf", path, "-C", src, "media"] + (format == "ustar" ? [] : [String(repeating: "n", count: 120)]))
            XCTAssertEqual(r.status, 0, r.output)
            let entries = try readAll(path)
            XCTAssertEqual(entries.first { $0.0.path == "media/pictures/p.png" }?.1, picture, format)
            if format != "ustar" {
                XCTAssertEqual(entries.first { $0.0.path == String(repeating: "n", count: 120) }?.1, Array(longPath.utf8), format)
            }
        }
    }

    func testTruncatedAndDamagedArchivesAreRefused() throws {
        let path = dir.file("a.tar")
        _ = try writeSample(path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        // Cut anywhere: inside a header, inside data, before the end marker.
        for cut in [100, 700, 2000, whole.count - 1024, whole.count - 512] {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: dir.file("cut.tar")))
            XCTAssertThrowsError(try readAll(dir.file("cut.tar")), "cut at \(cut)") { error in
                XCTAssertEqual(error as? TarError, .truncated, "cut at \(cut): \(error)")
            }
        }
        var damaged = whole
        damaged[520] ^= 0x20   // a byte of the second header's name
        try damaged.write(to: URL(fileURLWithPath: dir.file("bad.tar")))
        XCTAssertThrowsError(try readAll(dir.file("bad.tar"))) { error in
            guard case .badHeader = error as? TarError else { return XCTFail("\(error)") }
        }
        try Data("not an archive at all".utf8 + [UInt8](repeating: 1, count: 1000)).write(to: URL(fileURLWithPath: dir.file("junk")))
        XCTAssertThrowsError(try readAll(dir.file("junk")))
    }

    func testAFileMustMatchItsAnnouncedSize() throws {
        let fd = open(dir.file("s.tar"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let writer = TarWriter(fd: fd)
        try writer.beginFile("a", size: 10)
        try writer.write([1, 2, 3])
        XCTAssertThrowsError(try writer.endFile())
        XCTAssertThrowsError(try writer.write([UInt8](repeating: 0, count: 8)))
    }

    func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try runTool(tool, args)
    }
}
