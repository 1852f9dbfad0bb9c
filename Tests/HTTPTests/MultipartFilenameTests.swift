import XCTest
@testable import HTTP

/// Client file names become safe display names; `filename*` is understood.
final class MultipartFilenameTests: XCTestCase {
    private var dir: MultipartTempDirectory!

    override func setUpWithError() throws { dir = try MultipartTempDirectory() }
    override func tearDown() { dir.remove() }

    /// The filename the parser reports for a file part with this Content-Disposition parameter text.
    private func filename(disposition parameters: String) throws -> String? {
        var b = MultipartBodyBuilder()
        b.part(headers: ["Content-Disposition: form-data; name=\"f\"; \(parameters)"], data: [1, 2, 3])
        let form = try MultipartParser.parse(.bytes(b.closed()), boundary: b.boundary,
                                             limits: MultipartLimits(maxFileBytes: 100), temporaryDirectory: dir.path)
        return form.file("f")?.filename
    }

    private func filename(_ raw: String) throws -> String? {
        try filename(disposition: "filename=\"\(raw)\"")
    }

    func testPathComponentsAreCutToTheBasename() throws {
        XCTAssertEqual(try filename("../../etc/passwd"), "passwd")
        XCTAssertEqual(try filename("C:\\x\\y.png"), "y.png")
        XCTAssertEqual(try filename("/absolute/path/z.gif"), "z.gif")
        XCTAssertEqual(try filename("mixed\\..//..\\a b.jpg"), "a b.jpg")
        XCTAssertEqual(try filename("\\\\server\\share\\doc.pdf"), "doc.pdf")
    }

    func testNamesThatSanitiseToNothingMakeThePartIgnored() throws {
        for raw in ["..", ".", "../", "dir/", "C:\\dir\\.", "  ", "\u{1}\u{2}"] {
            XCTAssertNil(try filename(raw), raw)
        }
    }

    func testControlAndInvisibleCharactersAreRemoved() throws {
        XCTAssertEqual(try filename("a\u{0}b\u{7}c\u{7F}d\u{85}.png"), "abcd.png")
        XCTAssertEqual(try filename("evil\u{202E}gnp.exe"), "evilgnp.exe")
        XCTAssertEqual(try filename("  spaced name.txt  "), "spaced name.txt")
        XCTAssertEqual(try filename("tab\there.txt"), "tabhere.txt")
        XCTAssertEqual(try filename("naïve 日本.png"), "naïve 日本.png")
    }

    func testLongNamesAreShortenedKeepingTheExtension() throws {
        let long = try XCTUnwrap(try filename(String(repeating: "é", count: 300) + ".jpeg"))
        XCTAssertLessThanOrEqual(long.utf8.count, 200)
        XCTAssertTrue(long.hasSuffix("é.jpeg"))
        XCTAssertEqual(long, String(repeating: "é", count: 97) + ".jpeg")
        let noExtension = try XCTUnwrap(try filename(String(repeating: "a", count: 250)))
        XCTAssertEqual(noExtension, String(repeating: "a", count: 200))
        let hugeExtension = try XCTUnwrap(try filename("a." + String(repeating: "b", count: 250)))
        XCTAssertEqual(hugeExtension.utf8.count, 200)
        XCTAssertEqual(try filename(String(repeating: "c", count: 200)), String(repeating: "c", count: 200))
    }

    func testExtendedFilenameIsAFallback() throws {
        XCTAssertEqual(try filename(disposition: "filename*=UTF-8''%E2%82%AC%20rates.png"), "€ rates.png")
        XCTAssertEqual(try filename(disposition: "filename*=utf-8'en'na%C3%AFve.txt"), "naïve.txt")
        XCTAssertEqual(try filename(disposition: "filename*=\"UTF-8''quoted.txt\""), "quoted.txt")
        XCTAssertEqual(try filename(disposition: "filename*=ISO-8859-1''caf%E9.txt"), "café.txt")
        XCTAssertEqual(try filename(disposition: "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"), "passwd")
        // `filename` wins when present and not empty.
        XCTAssertEqual(try filename(disposition: "filename=\"plain.txt\"; filename*=UTF-8''fancy.txt"), "plain.txt")
        XCTAssertEqual(try filename(disposition: "filename=\"\"; filename*=UTF-8''fancy.txt"), "fancy.txt")
    }

    func testInvalidExtendedFilenameFallsBackToNothing() throws {
        XCTAssertNil(try filename(disposition: "filename*=UTF-8''bad%ZZ.txt"))
        XCTAssertNil(try filename(disposition: "filename*=UTF-8''%FF.txt"))
        XCTAssertNil(try filename(disposition: "filename*=KOI8-R''x.txt"))
        XCTAssertNil(try filename(disposition: "filename*=no-quotes.txt"))
        XCTAssertEqual(try filename(disposition: "filename=\"kept.txt\"; filename*=UTF-8''bad%Z"), "kept.txt")
    }

    func testInvalidUTF8InAFilenameIsReplacedNotRefused() throws {
        let boundary = MultipartBodyBuilder().boundary
        var bytes = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(".png\"\r\n\r\nx\r\n--\(boundary)--".utf8)
        let form = try MultipartParser.parse(.bytes(bytes), boundary: boundary,
                                             limits: MultipartLimits(maxFileBytes: 100), temporaryDirectory: dir.path)
        XCTAssertEqual(form.file("f")?.filename, "a\u{FFFD}\u{FFFD}.png")
    }

    func testUnquotedFilenameTokens() throws {
        XCTAssertEqual(try filename(disposition: "filename=report.pdf"), "report.pdf")
        XCTAssertEqual(try filename(disposition: "filename=my report.pdf ; x=1"), "my report.pdf")
    }
}
