import Foundation
import Mail
import XCTest

final class MessageRendererTests: XCTestCase {
    /// 2024-03-05 14:03:09 UTC, a Tuesday.
    let date = Date(timeIntervalSince1970: 1_709_647_389)

    func render(to: String = "alice@example.com", subject: String = "Hello", body: String = "Hi there.\n",
                from: String = "contact@tsuna.test") -> String {
        MessageRenderer.render(MailMessage(id: 42, to: to, subject: subject, body: body), from: from, date: date)
    }

    func testHeadersInOrderWithCRLFOnly() {
        let text = render()
        let names = ParsedMessage(text).headers.map(\.0)
        XCTAssertEqual(names, ["from", "to", "subject", "date", "message-id", "mime-version",
                               "content-type", "content-transfer-encoding"])
        let parsed = ParsedMessage(text)
        XCTAssertEqual(parsed.header("from"), "contact@tsuna.test")
        XCTAssertEqual(parsed.header("to"), "alice@example.com")
        XCTAssertEqual(parsed.header("subject"), "Hello")
        XCTAssertEqual(parsed.header("date"), "Tue, 05 Mar 2024 14:03:09 +0000")
        XCTAssertEqual(parsed.header("mime-version"), "1.0")
        XCTAssertEqual(parsed.header("content-type"), "text/plain; charset=utf-8")
        XCTAssertEqual(parsed.header("content-transfer-encoding"), "7bit")
        XCTAssertEqual(parsed.body, "Hi there.\r\n")
        // Every LF is preceded by CR, and there is no lone CR.
        let bytes = Array(text.utf8)
        for (i, b) in bytes.enumerated() {
            if b == 0x0A { XCTAssertTrue(i > 0 && bytes[i - 1] == 0x0D, "bare LF at \(i)") }
            if b == 0x0D { XCTAssertTrue(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "bare CR at \(i)") }
        }
        XCTAssertTrue(text.hasSuffix("\r\n"))
    }

    func testMessageIDIsUniqueAndUsesSenderDomain() throws {
        let a = try XCTUnwrap(ParsedMessage(render(from: "Tsuna <noreply@mail.tsuna.test>")).header("message-id"))
        let b = try XCTUnwrap(ParsedMessage(render(from: "Tsuna <noreply@mail.tsuna.test>")).header("message-id"))
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.hasPrefix("<42."), a)
        XCTAssertTrue(a.hasSuffix("@mail.tsuna.test>"), a)
    }

    func testBodyLineEndingsAreNormalisedToCRLF() {
        let parsed = ParsedMessage(render(body: "one\ntwo\r\nthree\rfour"))
        XCTAssertEqual(parsed.body, "one\r\ntwo\r\nthree\r\nfour\r\n")
    }

    func testNonASCIISubjectIsEncodedWordThatDecodesBack() throws {
        let subject = "Vous avez été promu administrateur de « Café Ünïcode » 🎉 — 日本語のチャンネル"
        let text = render(subject: subject)
        let headerBlock = try XCTUnwrap(text.components(separatedBy: "\r\n\r\n").first)
        XCTAssertTrue(headerBlock.utf8.allSatisfy { $0 < 0x80 }, "headers must be ASCII")
        for line in headerBlock.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.utf8.count, 78, line)
        }
        let value = try XCTUnwrap(ParsedMessage(text).header("subject"))
        XCTAssertTrue(value.hasPrefix("=?UTF-8?B?"), value)
        XCTAssertEqual(decodeEncodedWords(value), subject)
    }

    func testLongASCIISubjectIsFoldedAtSpacesAndUnfoldsExactly() throws {
        let subject = "You've been promoted to admin of " + String(repeating: "a very  long channel title ", count: 8) + "end"
        let text = render(subject: subject)
        let headerBlock = try XCTUnwrap(text.components(separatedBy: "\r\n\r\n").first)
        let lines = headerBlock.components(separatedBy: "\r\n")
        for line in lines { XCTAssertLessThanOrEqual(line.utf8.count, 78, line) }
        XCTAssertGreaterThan(lines.filter { $0.hasPrefix(" ") }.count, 1, "expected folded continuation lines")
        // Unfolding (removing each CRLF) gives the subject back byte for byte, spaces included.
        XCTAssertEqual(ParsedMessage(text).header("subject"), subject)
    }

    func testASCIISubjectWithAWordTooLongForAnyLineIsEncoded() throws {
        let subject = "Hello " + String(repeating: "x", count: 1200)
        let text = render(subject: subject)
        for line in text.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(line.utf8.count, 998) }
        let value = try XCTUnwrap(ParsedMessage(text).header("subject"))
        XCTAssertTrue(value.hasPrefix("=?UTF-8?B?"), value)
        XCTAssertEqual(decodeEncodedWords(value), subject)
    }

    func testSubjectThatLooksLikeAnEncodedWordIsEncoded() throws {
        let subject = "=?UTF-8?B?SGk=?="
        let value = try XCTUnwrap(ParsedMessage(render(subject: subject)).header("subject"))
        XCTAssertEqual(decodeEncodedWords(value), subject)
        XCTAssertNotEqual(value, subject)
    }

    func testHeaderInjectionIsNeutralised() {
        let text = render(to: "victim@example.com\r\nBcc: spy@evil.test",
                          subject: "Hi\r\nBcc: spy@evil.test\nX-Injected: 1\rReply-To: evil@evil.test",
                          from: "contact@tsuna.test\nCc: spy@evil.test")
        let parsed = ParsedMessage(text)
        let names = parsed.headers.map(\.0)
        XCTAssertEqual(names, ["from", "to", "subject", "date", "message-id", "mime-version",
                               "content-type", "content-transfer-encoding"])
        for bad in ["bcc", "cc", "x-injected", "reply-to"] { XCTAssertFalse(names.contains(bad), bad) }
        XCTAssertEqual(parsed.header("subject"), "Hi  Bcc: spy@evil.test X-Injected: 1 Reply-To: evil@evil.test")
        XCTAssertEqual(parsed.header("to"), "victim@example.com  Bcc: spy@evil.test")
        // Unicode line separators and NEL are neutralised too.
        let unicode = ParsedMessage(render(subject: "a\u{2028}b\u{2029}c\u{85}d"))
        XCTAssertEqual(decodeEncodedWords(unicode.header("subject") ?? ""), "a b c d")
    }

    func testBodyCannotEndTheHeaderBlockEarly() {
        // The body always follows the first blank line; a body with header-like text stays body.
        let parsed = ParsedMessage(render(body: "Bcc: spy@evil.test\n\nmore"))
        XCTAssertNil(parsed.header("bcc"))
        XCTAssertEqual(parsed.body, "Bcc: spy@evil.test\r\n\r\nmore\r\n")
    }

    func testUTF8BodyIsQuotedPrintable() {
        let body = "Grüße = café\nLigne avec espace finale \nplain"
        let parsed = ParsedMessage(render(body: body))
        XCTAssertEqual(parsed.header("content-transfer-encoding"), "quoted-printable")
        XCTAssertEqual(parsed.body, "Gr=C3=BC=C3=9Fe =3D caf=C3=A9\r\nLigne avec espace finale=20\r\nplain\r\n")
        XCTAssertEqual(parsed.decodedBody, "Grüße = café\r\nLigne avec espace finale \r\nplain\r\n")
    }

    func testQuotedPrintableKeepsLinesShortAndCharactersWhole() {
        let line = String(repeating: "é", count: 60) + " " + String(repeating: "x", count: 100) + " 🎉"
        let encoded = QuotedPrintable.encode(line)
        for l in encoded.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(l.utf8.count, 76, l)
            // A soft break never splits a UTF-8 sequence: every line decodes on its own to valid text.
            let soft = l.hasSuffix("=") ? String(l.dropLast()) : l
            XCTAssertFalse(QuotedPrintable.decode(soft).contains("\u{FFFD}"), l)
        }
        XCTAssertEqual(QuotedPrintable.decode(encoded), line + "\r\n")
    }

    func testQuotedPrintableEncodesControlsAndTrailingTab() {
        XCTAssertEqual(QuotedPrintable.encode("a\u{1}b\t"), "a=01b=09\r\n")
        XCTAssertEqual(QuotedPrintable.encode(""), "\r\n")
        XCTAssertEqual(QuotedPrintable.decode("bad=ZZ=4"), "bad=ZZ=4")
    }

    func testVeryLongASCIILineFallsBackToQuotedPrintable() {
        let body = String(repeating: "y", count: 1200)
        let parsed = ParsedMessage(render(body: body))
        XCTAssertEqual(parsed.header("content-transfer-encoding"), "quoted-printable")
        XCTAssertEqual(parsed.decodedBody, body + "\r\n")
    }

    func testDisplayNamesInAddresses() {
        XCTAssertEqual(ParsedMessage(render(from: "Tsuna Streaming <contact@tsuna.test>")).header("from"),
                       "\"Tsuna Streaming\" <contact@tsuna.test>")
        let encoded = ParsedMessage(render(from: "Tsüna <contact@tsuna.test>")).header("from") ?? ""
        XCTAssertTrue(encoded.hasSuffix(" <contact@tsuna.test>"), encoded)
        XCTAssertEqual(decodeEncodedWords(String(encoded.dropLast(" <contact@tsuna.test>".count))), "Tsüna")
    }

    func testOutOfRangeDatesDoNotCrash() {
        for d in [Date.distantFuture, Date.distantPast, Date(timeIntervalSince1970: .infinity),
                  Date(timeIntervalSince1970: .nan)] {
            let parsed = ParsedMessage(MessageRenderer.render(MailMessage(id: 1, to: "a@b.c", subject: "s", body: "b"),
                                                              from: "f@g.h", date: d))
            XCTAssertNotNil(parsed.header("date"))
        }
    }
}
