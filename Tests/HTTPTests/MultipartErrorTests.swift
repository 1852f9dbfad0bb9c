import XCTest
@testable import HTTP

/// Every refusal gives the right error and leaves no temporary file behind, from memory and from file bodies.
final class MultipartErrorTests: XCTestCase {
    private var dir: MultipartTempDirectory!
    private var uploads: String { dir.subdirectory("uploads") }

    override func setUpWithError() throws { dir = try MultipartTempDirectory() }
    override func tearDown() { dir.remove() }

    /// Parses `bytes` both in memory and as a file body (in small reads and whole), expecting `expected`
    /// every time and an empty upload directory afterwards.
    private func assertRefused(_ bytes: [UInt8], boundary: String = "b", limits: MultipartLimits? = nil,
                               _ expected: MultipartError, file: StaticString = #filePath, line: UInt = #line) throws {
        var l = limits ?? MultipartLimits(maxFileBytes: 1 << 20)
        if limits == nil { l.memoryThreshold = 8 }
        let fileBody = try MultipartTestSupport.fileBody(bytes, in: dir.path)
        let bodies: [(RequestBody, Int)] = [(.bytes(bytes), 0), (fileBody, 7), (fileBody, 64 * 1024)]
        for (body, chunk) in bodies {
            XCTAssertMultipartError(expected, file: file, line: line) { () throws(MultipartError) in
                _ = try MultipartParser.parse(body, boundary: boundary, limits: l, temporaryDirectory: uploads,
                                              readChunkBytes: chunk == 0 ? 64 * 1024 : chunk)
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: uploads), [],
                           "temporary files left behind (read size \(chunk))", file: file, line: line)
        }
    }

    private func assertRefused(_ text: String, boundary: String = "b", limits: MultipartLimits? = nil,
                               _ expected: MultipartError, file: StaticString = #filePath, line: UInt = #line) throws {
        try assertRefused(Array(text.utf8), boundary: boundary, limits: limits, expected, file: file, line: line)
    }

    private let part = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n0123456789abcdef0123"

    func testTruncatedBodies() throws {
        try assertRefused("", .malformedBody("the boundary does not occur in the body."))
        try assertRefused("no delimiter here at all", .malformedBody("the boundary does not occur in the body."))
        try assertRefused("--b", .malformedBody("the boundary does not occur in the body."))
        try assertRefused("--b\r", .malformedBody("the body ends inside a part's headers."))
        try assertRefused("--b\r\nContent-Disposition: form-data; name=\"a\"", .malformedBody("the body ends inside a part's headers."))
        try assertRefused(part, .malformedBody("the body ends before the closing boundary."))
        try assertRefused(part + "\r\n--b", .malformedBody("the body ends before the closing boundary."))
        try assertRefused(part + "\r\n--b-", .malformedBody("the body ends before the closing boundary."))
        try assertRefused(part + "\r\n--b\r\n", .malformedBody("the body ends inside a part's headers."))
        try assertRefused(part + "\r\n--bb--", .malformedBody("the body ends before the closing boundary."))
    }

    func testEmptyBodyIsMalformed() {
        XCTAssertMultipartError(.malformedBody("the boundary does not occur in the body.")) { () throws(MultipartError) in
            _ = try MultipartParser.parse(.empty, boundary: "b", limits: MultipartLimits(maxFileBytes: 1), temporaryDirectory: uploads)
        }
    }

    func testMissingCloseDelimiterAfterACompletePart() throws {
        // A part followed by a delimiter and then another complete-looking part, but never "--b--".
        try assertRefused(part + "\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n",
                          .malformedBody("the body ends before the closing boundary."))
    }

    func testMissingOrInvalidBoundary() throws {
        try assertRefused("--b--", boundary: "", .missingBoundary)
        try assertRefused("--b--", boundary: String(repeating: "b", count: 71), .missingBoundary)
        try assertRefused("--b--", boundary: "b ", .missingBoundary)
        try assertRefused("--b--", boundary: "a\"b", .missingBoundary)
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data"))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; charset=utf-8"))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary="))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"\""))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"unterminated"))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=a\u{7F}b"))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)))
        XCTAssertNil(MultipartParser.boundary(fromContentType: "application/json; boundary=abc"))
        XCTAssertNil(MultipartParser.boundary(fromContentType: ""))
    }

    func testBoundaryFromContentType() {
        XCTAssertEqual(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
                       "----WebKitFormBoundary7MA4YWxkTrZu0gW")
        XCTAssertEqual(MultipartParser.boundary(fromContentType: "Multipart/Form-Data;BOUNDARY=abc ; charset=utf-8"), "abc")
        XCTAssertEqual(MultipartParser.boundary(fromContentType: "multipart/form-data; charset=utf-8; boundary=\"a b:c?\""), "a b:c?")
        XCTAssertEqual(MultipartParser.boundary(fromContentType: "multipart/mixed; boundary=" + String(repeating: "x", count: 70)),
                       String(repeating: "x", count: 70))
    }

    func testTooManyParts() throws {
        var l = MultipartLimits(maxFileBytes: 100)
        l.maxParts = 3
        let three = String(repeating: "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n", count: 3)
        let spilled = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n" + String(repeating: "z", count: 50) + "\r\n"
        l.memoryThreshold = 10
        XCTAssertEqual(try MultipartParser.parse(.bytes(Array((three + "--b--").utf8)), boundary: "b", limits: l,
                                                 temporaryDirectory: uploads).fields.count, 3)
        try assertRefused(three + "--b\r\n\r\n--b--", limits: l, .tooManyParts)
        try assertRefused(spilled + spilled + spilled + "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--",
                          limits: l, .tooManyParts)
        // Ignored parts count too.
        try assertRefused(String(repeating: "--b\r\n\r\nignored\r\n", count: 4) + "--b--", limits: l, .tooManyParts)
    }

    func testOversizedPartHeaders() throws {
        var l = MultipartLimits(maxFileBytes: 100)
        l.maxPartHeaderBytes = 100
        l.memoryThreshold = 4
        let disposition = "Content-Disposition: form-data; name=\"a\""
        let exactly = disposition + "\r\nX: " + String(repeating: "h", count: 100 - disposition.count - 5)
        XCTAssertEqual(exactly.utf8.count, 100)
        let ok = try MultipartParser.parse(.bytes(Array("--b\r\n\(exactly)\r\n\r\nv\r\n--b--".utf8)), boundary: "b",
                                           limits: l, temporaryDirectory: uploads)
        XCTAssertEqual(ok.field("a"), "v")
        let spilled = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n0123456789\r\n"
        try assertRefused(spilled + "--b\r\n\(exactly)h\r\n\r\nv\r\n--b--", limits: l, .partHeadersTooLarge)
        // A header block that never ends: refused once it passes the limit, not at end of body.
        try assertRefused("--b\r\n" + String(repeating: "X-Long: 1\r\n", count: 1000), limits: l, .partHeadersTooLarge)
    }

    func testOversizedField() throws {
        var l = MultipartLimits(maxFileBytes: 1000)
        l.maxFieldBytes = 10
        l.memoryThreshold = 4
        let fits = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n0123456789ABCDEF\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n0123456789\r\n"
        XCTAssertEqual(try MultipartParser.parse(.bytes(Array((fits + "--b--").utf8)), boundary: "b", limits: l,
                                                 temporaryDirectory: uploads).field("title"), "0123456789")
        try assertRefused(fits + "--b\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\n0123456789A\r\n--b--",
                          limits: l, .fieldTooLarge("bio"))
    }

    func testOversizedFileStopsAndRemovesWhatWasWritten() throws {
        var l = MultipartLimits(maxFileBytes: 100)
        l.memoryThreshold = 10
        let first = "--b\r\nContent-Disposition: form-data; name=\"thumb\"; filename=\"t.png\"\r\n\r\n"
            + String(repeating: "t", count: 100) + "\r\n"
        let big = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n\r\n"
            + String(repeating: "v", count: 101) + "\r\n--b--"
        try assertRefused(first + big, limits: l, .fileTooLarge(field: "file"))
        // Refused as soon as the limit is passed, even if the body is cut short afterwards.
        try assertRefused(first + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n\r\n"
                          + String(repeating: "v", count: 5000), limits: l, .fileTooLarge(field: "file"))
        // Also when files stay in memory.
        l.memoryThreshold = 1000
        try assertRefused(first + big, limits: l, .fileTooLarge(field: "file"))
    }

    func testFieldValueMustBeUTF8() throws {
        let bytes = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n0123456789\r\n--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n".utf8)
            + [0xC3, 0x28] + Array("\r\n--b--".utf8)
        try assertRefused(bytes, .malformedBody("the value of the field \"t\" is not valid UTF-8."))
        let name = Array("--b\r\nContent-Disposition: form-data; name=\"".utf8) + [0xFF] + Array("\"\r\n\r\nv\r\n--b--".utf8)
        try assertRefused(name, .malformedBody("a field name is not valid UTF-8."))
    }

    func testMalformedHeadersAndDelimiterLines() throws {
        let spilled = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n0123456789\r\n"
        try assertRefused(spilled + "--b\r\nno colon here\r\n\r\nv\r\n--b--", .malformedBody("a part header line is malformed."))
        try assertRefused(spilled + "--b\r\n: empty name\r\n\r\nv\r\n--b--", .malformedBody("a part header line is malformed."))
        try assertRefused(spilled + "--b\r\n folded first\r\n\r\nv\r\n--b--", .malformedBody("a part header starts with whitespace."))
        try assertRefused(spilled + "--b\r\nA: 1\nB: 2\r\n\r\nv\r\n--b--", .malformedBody("a part header contains a bare CR or LF."))
        try assertRefused(spilled + "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--",
                          .malformedBody("the Content-Disposition header of a part is malformed."))
        try assertRefused(spilled + "--b\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--b--",
                          .malformedBody("the Content-Disposition header of a part is malformed."))
        try assertRefused(spilled + "--b \tx\r\n\r\nv\r\n--b--", .malformedBody("a boundary line does not end with CRLF."))
        try assertRefused(spilled + "--b\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--",
                          .malformedBody("a boundary line does not end with CRLF."))
    }

    func testUnwritableTemporaryDirectoryIsAStorageFailure() throws {
        var l = MultipartLimits(maxFileBytes: 100)
        l.memoryThreshold = 4
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n0123456789\r\n--b--".utf8)
        do {
            _ = try MultipartParser.parse(.bytes(body), boundary: "b", limits: l, temporaryDirectory: dir.path + "/missing")
            XCTFail("expected storageFailed")
        } catch {
            guard case .storageFailed = error else { return XCTFail("got \(error)") }
        }
    }

    func testMessagesAreHumanText() {
        let all: [MultipartError] = [.missingBoundary, .malformedBody("x."), .tooManyParts, .partHeadersTooLarge,
                                     .fieldTooLarge("bio"), .fileTooLarge(field: "file"), .storageFailed("disk full")]
        for e in all { XCTAssertFalse(e.message.isEmpty) }
        XCTAssertEqual(MultipartError.fileTooLarge(field: "file").message, "The file in the field \"file\" is too large.")
        XCTAssertTrue(MultipartError.malformedBody("the body ends.").message.hasSuffix("the body ends."))
    }
}
