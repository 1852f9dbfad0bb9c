import XCTest
@testable import HTTP

/// Shared helpers for the request parser tests.
enum ParserTestSupport {
    /// Parses `bytes` in one call.
    static func parse(_ bytes: [UInt8], maxHeadBytes: Int = 16 * 1024) -> HeadParseResult {
        var scanned = 0
        return bytes.withUnsafeBytes { RequestHeadParser(maxHeadBytes: maxHeadBytes).parse($0, scannedUpTo: &scanned) }
    }

    /// Parses `text` (as UTF-8) in one call.
    static func parse(_ text: String, maxHeadBytes: Int = 16 * 1024) -> HeadParseResult {
        parse(Array(text.utf8), maxHeadBytes: maxHeadBytes)
    }

    /// Runs a chunked decoder over `pieces` in order, returning the body, total consumed and progress.
    static func decodeChunked(_ pieces: [[UInt8]], maxBodyBytes: Int = 1 << 20)
        throws -> (body: [UInt8], consumed: Int, progress: ChunkedDecoder.Progress) {
        var decoder = ChunkedDecoder(maxBodyBytes: maxBodyBytes)
        var body: [UInt8] = []
        var consumed = 0
        var progress = ChunkedDecoder.Progress.needMore
        for piece in pieces {
            let result = try piece.withUnsafeBytes { buffer in
                try decoder.feed(buffer) { body.append(contentsOf: $0) }
            }
            consumed += result.consumed
            progress = result.progress
            if progress == .done { break }
        }
        return (body, consumed, progress)
    }
}

/// Returns the head from a `.complete` result, failing the test otherwise.
func XCTUnwrapHead(_ result: HeadParseResult, file: StaticString = #filePath, line: UInt = #line)
    -> (head: RequestHead, length: Int)? {
    if case .complete(let head, let length) = result { return (head, length) }
    XCTFail("expected .complete, got \(result)", file: file, line: line)
    return nil
}

/// Asserts that `text` fails to parse with exactly `expected`.
func XCTAssertParseError(_ text: String, _ expected: HTTPParseError, maxHeadBytes: Int = 16 * 1024,
                         file: StaticString = #filePath, line: UInt = #line) {
    let result = ParserTestSupport.parse(text, maxHeadBytes: maxHeadBytes)
    guard case .failure(let error) = result else {
        return XCTFail("expected \(expected) for \(text.debugDescription), got \(result)", file: file, line: line)
    }
    XCTAssertEqual(error, expected, "for \(text.debugDescription)", file: file, line: line)
}
