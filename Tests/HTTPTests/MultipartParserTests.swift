import XCTest
@testable import HTTP

/// The format itself: fields, files, delimiters, headers, preamble and epilogue.
final class MultipartParserTests: XCTestCase {
    private var dir: MultipartTempDirectory!
    private let limits = MultipartLimits(maxFileBytes: 1 << 20)

    override func setUpWithError() throws { dir = try MultipartTempDirectory() }
    override func tearDown() { dir.remove() }

    private func parse(_ bytes: [UInt8], boundary: String = MultipartBodyBuilder().boundary) throws -> MultipartForm {
        try MultipartParser.parse(.bytes(bytes), boundary: boundary, limits: limits, temporaryDirectory: dir.path)
    }

    private func parse(_ text: String, boundary: String = "b") throws -> MultipartForm {
        try parse(Array(text.utf8), boundary: boundary)
    }

    func testSimpleFieldsAndOneFile() throws {
        var b = MultipartBodyBuilder()
        b.field("title", "Hello, wörld")
        b.field("description", "two\r\nlines")
        b.file("file", filename: "clip.mp4", type: "video/mp4", data: [0, 1, 2, 13, 10, 255])
        let form = try parse(b.closed())
        XCTAssertEqual(form.fields.map(\.name), ["title", "description"])
        XCTAssertEqual(form.field("title"), "Hello, wörld")
        XCTAssertEqual(form.field("description"), "two\r\nlines")
        XCTAssertNil(form.field("file"))
        let file = try XCTUnwrap(form.file("file"))
        XCTAssertEqual(file.fieldName, "file")
        XCTAssertEqual(file.filename, "clip.mp4")
        XCTAssertEqual(file.contentType, "video/mp4")
        XCTAssertEqual(file.size, 6)
        XCTAssertEqual(MultipartTestSupport.bytes(of: file), [0, 1, 2, 13, 10, 255])
        XCTAssertEqual(file.firstBytes(3), [0, 1, 2])
        XCTAssertEqual(file.firstBytes(100), [0, 1, 2, 13, 10, 255])
        XCTAssertEqual(file.firstBytes(-1), [])
        XCTAssertNil(form.file("title"))
    }

    func testRepeatedNamesKeepOrderAndFirstWins() throws {
        var b = MultipartBodyBuilder()
        b.field("tag", "a")
        b.field("other", "x")
        b.field("tag", "b")
        let form = try parse(b.closed())
        XCTAssertEqual(form.fields.map(\.value), ["a", "x", "b"])
        XCTAssertEqual(form.field("tag"), "a")
    }

    func testOnlyACloseDelimiterIsAnEmptyForm() throws {
        let form = try parse("--b--\r\n")
        XCTAssertTrue(form.fields.isEmpty)
        XCTAssertTrue(form.files.isEmpty)
    }

    func testPreambleAndEpilogueAreIgnored() throws {
        let text = "This is a preamble --b not at line start\r\n--bx neither\r\n--b\r\n"
            + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\nepilogue\r\n--b\r\nContent-Disposition: form-data; name=\"z\"\r\n\r\n2"
        let form = try parse(text)
        XCTAssertEqual(form.fields.count, 1)
        XCTAssertEqual(form.field("a"), "1")
    }

    func testBodyMayStartWithCRLFBeforeTheFirstDelimiter() throws {
        let form = try parse("\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--")
        XCTAssertEqual(form.field("a"), "v")
    }

    func testTransportPaddingAfterDelimiters() throws {
        let form = try parse("--b \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b  \r\n"
            + "Content-Disposition: form-data; name=\"c\"\r\n\r\nw\r\n--b--")
        XCTAssertEqual(form.fields.map(\.value), ["v", "w"])
    }

    func testEmptyValueAndCRLFAtTheEdgesOfData() throws {
        var b = MultipartBodyBuilder()
        b.field("empty", "")
        b.field("crlf", "\r\n")
        b.field("lead", "\r\n\r\nx")
        let form = try parse(b.closed())
        XCTAssertEqual(form.field("empty"), "")
        XCTAssertEqual(form.field("crlf"), "\r\n")
        XCTAssertEqual(form.field("lead"), "\r\n\r\nx")
    }

    func testBoundaryLikeBytesInsideDataAreData() throws {
        let boundary = MultipartBodyBuilder().boundary
        let tricky: [[UInt8]] = [
            Array("x--\(boundary)--".utf8),                   // not after CRLF
            Array("x--\(boundary)\r\n".utf8),
            Array("\n--\(boundary)\r\n".utf8),                // bare LF before it
            Array("\r--\(boundary)\r\n".utf8),                // bare CR before it
            Array("\r\n--\(boundary)X\r\n".utf8),             // followed by a boundary character
            Array("\r\n--\(boundary)-x".utf8),                // a single dash is not a close
            Array("\r\n--\(String(boundary.dropLast()))\r\n".utf8),  // a prefix of the boundary
            Array("\r\n-\r\n--\r\n\r\n\r\r\n".utf8),
        ]
        for data in tricky {
            var b = MultipartBodyBuilder()
            b.file("f", filename: "a.bin", data: data)
            b.field("after", "ok")
            let form = try parse(b.closed())
            XCTAssertEqual(form.file("f").map(MultipartTestSupport.bytes(of:)), data, "\(data)")
            XCTAssertEqual(form.field("after"), "ok")
        }
    }

    func testAPartMayEndRightAfterItsHeaders() throws {
        // RFC 2046: body-part := headers [CRLF *OCTET]; without the optional CRLF the data is empty.
        let form = try parse("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b\r\n"
            + "Content-Disposition: form-data; name=\"c\"\r\n\r\n--b--")
        XCTAssertEqual(form.fields.map(\.name), ["a", "c"])
        XCTAssertEqual(form.fields.map(\.value), ["", ""])
    }

    func testHeaderNamesAreCaseInsensitiveAndFoldedLinesContinue() throws {
        let text = "--b\r\ncOnTeNt-DiSpOsItIoN: FORM-DATA;\r\n\tname=\"a\"; FILENAME=\"x.txt\"\r\n"
            + "content-type:   text/plain  \r\nX-Other: 1\r\n\r\nhello\r\n--b--"
        let form = try parse(text)
        let file = try XCTUnwrap(form.file("a"))
        XCTAssertEqual(file.filename, "x.txt")
        XCTAssertEqual(file.contentType, "text/plain")
        XCTAssertEqual(MultipartTestSupport.bytes(of: file), Array("hello".utf8))
    }

    func testQuotedStringEscapesAndTokenValues() throws {
        let text = "--b\r\nContent-Disposition: form-data; name=\"say \\\"hi\\\" \\\\ now\"\r\n\r\n1\r\n"
            + "--b\r\nContent-Disposition: form-data ; name = plain ; other=\"x;y\"\r\n\r\n2\r\n--b--"
        let form = try parse(text)
        XCTAssertEqual(form.fields.map(\.name), ["say \"hi\" \\ now", "plain"])
    }

    func testPartsWithoutNameOrNotFormDataAreIgnored() throws {
        let text = "--b\r\nContent-Disposition: form-data; filename=\"x.png\"\r\n\r\nnameless file\r\n"
            + "--b\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nempty name\r\n"
            + "--b\r\nContent-Disposition: attachment; name=\"att\"\r\n\r\nattachment\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n"
            + "--b\r\n\r\nno headers at all\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"kept\"\r\n\r\nyes\r\n--b--"
        let form = try parse(text)
        XCTAssertEqual(form.fields.map(\.name), ["kept"])
        XCTAssertTrue(form.files.isEmpty)
    }

    func testEmptyFileInputIsIgnoredButAnEmptyNamedFileIsKept() throws {
        var b = MultipartBodyBuilder()
        b.file("none", filename: "", data: [])
        b.file("zero", filename: "zero.txt", data: [])
        let form = try parse(b.closed())
        XCTAssertNil(form.file("none"))
        XCTAssertNil(form.field("none"))
        XCTAssertEqual(form.file("zero")?.size, 0)
        XCTAssertEqual(form.file("zero")?.firstBytes(10), [])
    }

    func testFileWithoutContentTypeHasNil() throws {
        var b = MultipartBodyBuilder()
        b.file("f", filename: "a", type: nil, data: [1])
        XCTAssertNil(try parse(b.closed()).file("f")?.contentType)
    }

    func testQuotedBoundaryCharactersWork() throws {
        let boundary = "a'()+_,-./:=? z"
        var b = MultipartBodyBuilder(boundary: boundary)
        b.field("k", "v")
        XCTAssertEqual(try parse(b.closed(), boundary: boundary).field("k"), "v")
    }

    func testEpilogueAfterCloseIsNotRead() throws {
        // Whatever follows the close delimiter, even garbage without CRLF, is ignored.
        var b = MultipartBodyBuilder()
        b.field("k", "v")
        XCTAssertEqual(try parse(b.closed(epilogue: "\u{0}\u{1}garbage--")).field("k"), "v")
        XCTAssertEqual(try parse(b.closed(epilogue: "")).field("k"), "v")
    }
}
