import Mail
import XCTest

final class MailTemplateTests: XCTestCase {
    func testLayout() {
        let text = MailTemplate.render(greeting: "Hi alice,", paragraphs: ["Please verify your account.", "Thanks!"],
                                       link: "https://tsuna.test/verify/abc/def/", signature: "Tsuna")
        XCTAssertEqual(text, """
            Hi alice,

            Please verify your account.

            Thanks!

            https://tsuna.test/verify/abc/def/

            -- 
            Tsuna

            """)
    }

    func testParagraphsWrapAtColumnButLinksDoNot() {
        let long = String(repeating: "word ", count: 40)
        let link = "https://tsuna.test/" + String(repeating: "x", count: 120)
        let text = MailTemplate.render(greeting: "Hello", paragraphs: [long], link: link)
        let lines = text.components(separatedBy: "\n")
        for line in lines where line != link {
            XCTAssertLessThanOrEqual(line.count, MailTemplate.wrapColumn, line)
        }
        XCTAssertTrue(lines.contains(link))
        XCTAssertEqual(lines.filter { $0.hasPrefix("word") }.joined(separator: " "),
                       long.trimmingCharacters(in: .whitespaces))
    }

    func testNoLinkAndEmptyParts() {
        let text = MailTemplate.render(greeting: "", paragraphs: ["", "Only this."], link: nil, signature: "")
        XCTAssertEqual(text, "Only this.\n")
    }

    func testTemplateRendersAsA7bitMessage() {
        let body = MailTemplate.render(greeting: "Hi,", paragraphs: ["Text."], link: "https://tsuna.test/a?b=c")
        let parsed = ParsedMessage(MessageRenderer.render(MailMessage(id: 1, to: "a@b.test", subject: "S", body: body),
                                                          from: "f@tsuna.test", date: Date()))
        XCTAssertEqual(parsed.header("content-transfer-encoding"), "7bit")
        XCTAssertTrue(parsed.body.contains("\r\nhttps://tsuna.test/a?b=c\r\n"))
    }
}
