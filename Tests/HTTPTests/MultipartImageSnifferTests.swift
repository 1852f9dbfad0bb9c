import XCTest
import TestSupport
import HTTP

/// Image recognition by magic numbers.
final class MultipartImageSnifferTests: XCTestCase {
    func testRealMagicNumbers() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00]
        let exif: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x18, 0x45, 0x78, 0x69, 0x66]
        let gif87 = Array("GIF87a".utf8) + [0x01, 0x00, 0x01, 0x00]
        let gif89 = Array("GIF89a".utf8) + [0x01, 0x00, 0x01, 0x00]
        let webp = Array("RIFF".utf8) + [0x24, 0x00, 0x00, 0x00] + Array("WEBPVP8 ".utf8)
        XCTAssertEqual(ImageSniffer.kind(of: png), .png)
        XCTAssertEqual(ImageSniffer.kind(of: jpeg), .jpeg)
        XCTAssertEqual(ImageSniffer.kind(of: exif), .jpeg)
        XCTAssertEqual(ImageSniffer.kind(of: gif87), .gif)
        XCTAssertEqual(ImageSniffer.kind(of: gif89), .gif)
        XCTAssertEqual(ImageSniffer.kind(of: webp), .webp)
    }

    func testJunkAndLookalikes() {
        XCTAssertNil(ImageSniffer.kind(of: []))
        XCTAssertNil(ImageSniffer.kind(of: [0x89, 0x50, 0x4E, 0x47]))                       // truncated PNG
        XCTAssertNil(ImageSniffer.kind(of: [0xFF, 0xD8]))                                   // truncated JPEG
        XCTAssertNil(ImageSniffer.kind(of: Array("GIF88a".utf8)))
        XCTAssertNil(ImageSniffer.kind(of: Array("RIFF\u{24}\0\0\0WAVEfmt ".utf8)))          // a WAV file
        XCTAssertNil(ImageSniffer.kind(of: Array("RIFF\0\0\0\0WEB".utf8)))                   // too short
        XCTAssertNil(ImageSniffer.kind(of: Array("<svg xmlns=\"http://www.w3.org/2000/svg\">".utf8)))
        XCTAssertNil(ImageSniffer.kind(of: Array("%PDF-1.7".utf8)))
        XCTAssertNil(ImageSniffer.kind(of: [0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70]))  // MP4
        var random = SeededRandom(seed: 9)
        for _ in 0..<200 {
            var junk = random.bytes(16)
            if junk[0] == 0xFF || junk[0] == 0x89 || junk[0] == 0x47 || junk[0] == 0x52 { junk[0] = 0 }
            XCTAssertNil(ImageSniffer.kind(of: junk))
        }
    }

    func testExtensionsAndMimeTypes() {
        XCTAssertEqual(ImageKind.png.fileExtension, "png")
        XCTAssertEqual(ImageKind.jpeg.fileExtension, "jpg")
        XCTAssertEqual(ImageKind.gif.fileExtension, "gif")
        XCTAssertEqual(ImageKind.webp.fileExtension, "webp")
        XCTAssertEqual(ImageKind.png.mimeType, "image/png")
        XCTAssertEqual(ImageKind.jpeg.mimeType, "image/jpeg")
        XCTAssertEqual(ImageKind.gif.mimeType, "image/gif")
        XCTAssertEqual(ImageKind.webp.mimeType, "image/webp")
        XCTAssertEqual(ImageKind(rawValue: "webp"), .webp)
    }
}
