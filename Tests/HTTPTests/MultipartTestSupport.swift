import XCTest
import TestSupport
@testable import HTTP

/// A fresh directory under the system temp folder, removed (with its contents) by `remove()`.
final class MultipartTempDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/multipart-test-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw NSError(domain: "mkdtemp", code: Int(errno))
        }
        path = String(cString: made)
    }

    /// Names of the entries in the directory, sorted.
    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// A subdirectory, created on first use.
    func subdirectory(_ name: String) -> String {
        let sub = path + "/" + name
        try? FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        return sub
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Builds multipart bodies for tests.
struct MultipartBodyBuilder {
    var boundary = "----TsunaBoundary7MA4YWxkTrZu0gW"
    private(set) var bytes: [UInt8] = []

    init(boundary: String = "----TsunaBoundary7MA4YWxkTrZu0gW", preamble: String = "") {
        self.boundary = boundary
        bytes = Array(preamble.utf8)
    }

    /// A part with raw header lines and data.
    mutating func part(headers: [String], data: [UInt8]) {
        bytes += Array((bytes.isEmpty ? "" : "\r\n").utf8)
        bytes += Array("--\(boundary)\r\n".utf8)
        for h in headers { bytes += Array("\(h)\r\n".utf8) }
        bytes += Array("\r\n".utf8)
        bytes += data
    }

    mutating func field(_ name: String, _ value: String) {
        part(headers: ["Content-Disposition: form-data; name=\"\(name)\""], data: Array(value.utf8))
    }

    mutating func file(_ name: String, filename: String, type: String? = "application/octet-stream", data: [UInt8]) {
        var headers = ["Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\""]
        if let type { headers.append("Content-Type: \(type)") }
        part(headers: headers, data: data)
    }

    /// The body with its close delimiter and an optional epilogue.
    func closed(epilogue: String = "\r\n") -> [UInt8] {
        bytes + Array("\r\n--\(boundary)--\(epilogue)".utf8)
    }
}

enum MultipartTestSupport {
    /// Writes `bytes` to a new file in `directory` and wraps it as a spilled request body.
    static func fileBody(_ bytes: [UInt8], in directory: String) throws -> RequestBody {
        let path = directory + "/body-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return .file(TemporaryFile(path: path, length: bytes.count))
    }

    /// The contents of a file, or [] if unreadable.
    static func contents(_ path: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }

    /// The bytes of a parsed file, wherever they are stored.
    static func bytes(of file: MultipartFile) -> [UInt8] {
        switch file.storage {
        case .memory(let b): return b
        case .file(let f): return contents(f.path)
        }
    }
}

extension SeededRandom {
    /// `n` deterministic pseudo-random bytes.
    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n + 8)
        while out.count < n {
            var v = next()
            for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
        return Array(out.prefix(n))
    }
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertMultipartError(_ expected: MultipartError, file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws(MultipartError) -> Void) {
    do {
        try body()
        XCTFail("expected \(expected), parsed without error", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}
