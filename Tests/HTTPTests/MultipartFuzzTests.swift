import XCTest
import TestSupport
@testable import HTTP

/// Fixed-seed random mutations of a valid body: no crash, no hang, no leftover file, and a body parsed from
/// memory gives exactly the result of the same body read from disk in small random reads.
final class MultipartFuzzTests: XCTestCase {
    private var dir: MultipartTempDirectory!
    private var uploads: String { dir.subdirectory("uploads") }

    override func setUpWithError() throws { dir = try MultipartTempDirectory() }
    override func tearDown() { dir.remove() }

    private let boundary = "fz"
    private let tokens: [String] = ["\r\n", "\r", "\n", "--", "--fz", "\r\n--fz", "\r\n--fz\r\n", "\r\n--fz--", "\r\n\r\n",
                                    "\"", "\\", ";", "=", " ", "name=\"", "filename=\"", "filename*=UTF-8''%",
                                    "Content-Disposition: form-data; name=\"q\"\r\n", "Content-Type: x\r\n", "\u{0}", "\u{FF}"]

    private var limits: MultipartLimits {
        var l = MultipartLimits(maxFileBytes: 300)
        l.maxParts = 6
        l.maxPartHeaderBytes = 160
        l.maxFieldBytes = 64
        l.memoryThreshold = 32
        return l
    }

    private func validBody(_ random: inout SeededRandom) -> [UInt8] {
        var b = MultipartBodyBuilder(boundary: boundary, preamble: "pre")
        b.field("title", "A title")
        b.file("file", filename: "../clip.bin", data: random.bytes(200))
        b.field("empty", "")
        b.file("thumb", filename: "t.png", type: "image/png", data: random.bytes(20))
        b.part(headers: ["content-disposition: form-data; name=x; filename*=UTF-8''%C3%A9.txt"], data: random.bytes(40))
        return b.closed(epilogue: "epi")
    }

    private func mutate(_ body: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = body
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where at < bytes.count:
                bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1:
                bytes.insert(contentsOf: random.bytes(Int.random(in: 1...8, using: &random)), at: at)
            case 2:
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &random)))
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...200, using: &random))
                bytes.insert(contentsOf: Array(bytes[at..<end]), at: Int.random(in: 0...bytes.count, using: &random))
            case 4:
                bytes.insert(contentsOf: Array(tokens[Int.random(in: 0..<tokens.count, using: &random)].utf8), at: at)
            default:
                bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    /// A comparable summary of a parse: the error, or the fields and files with their bytes.
    private func outcome(_ body: RequestBody, chunk: Int) -> String {
        do {
            let form = try MultipartParser.parse(body, boundary: boundary, limits: limits, temporaryDirectory: uploads,
                                                 readChunkBytes: chunk)
            let fields = form.fields.map { "\($0.name)=\($0.value)" }
            let files = form.files.map {
                "\($0.fieldName)|\($0.filename)|\($0.contentType ?? "-")|\($0.size)|\(Data(MultipartTestSupport.bytes(of: $0)).base64EncodedString())"
            }
            return "fields \(fields) files \(files)"
        } catch {
            return "error \(error)"
        }
    }

    func testRandomMutationsNeverCrashLeakOrDisagree() throws {
        var random = SeededRandom(seed: 0x5453_554E_41)
        let original = validBody(&random)
        XCTAssertTrue(outcome(.bytes(original), chunk: 1 << 16).hasPrefix("fields"), "the unmutated body must parse")
        var outcomes: [String: Int] = [:]
        for iteration in 0..<600 {
            let bytes = mutate(original, &random)
            let chunk = Int.random(in: 1...97, using: &random)
            let fromMemory = outcome(.bytes(bytes), chunk: chunk)
            let fromFile = outcome(try MultipartTestSupport.fileBody(bytes, in: dir.path), chunk: chunk)
            XCTAssertEqual(fromMemory, fromFile, "iteration \(iteration), read size \(chunk)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads), [], "iteration \(iteration)")
            outcomes[String(fromMemory.prefix(24)), default: 0] += 1
        }
        // The mutations must reach both success and several kinds of refusal, or the test proves little.
        XCTAssertGreaterThan(outcomes.keys.filter { $0.hasPrefix("fields") }.count, 0)
        XCTAssertGreaterThan(outcomes.keys.filter { $0.hasPrefix("error") }.count, 3, "\(outcomes)")
    }
}
