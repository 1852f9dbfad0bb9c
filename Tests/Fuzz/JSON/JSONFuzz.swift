// libFuzzer harness: the JSON reader, parser and writer.
//
// Input: a document. The parser must return a value or throw a JSONParseError (typed throws make
// anything else impossible; a trap or an overflow is the finding). A parsed value is written back and
// must re-parse to an equal value whose encoding is byte-identical (the writer is deterministic). The
// streaming reader must agree with the tree parser: `skipValue` + `finish` succeed exactly when `parse`
// does, with the same error, and `readValue` gives the same tree. The UTF-8 validator must agree with
// the standard library's, and any text (the input decoded with repairs) must survive the writer's
// string escaping.
import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)

    // The validator against the standard library's decoder.
    let valid = UTF8Validation.isValid(bytes)
    fuzzCheck(valid == (String(validating: bytes, as: UTF8.self) != nil), "UTF8Validation.isValid says \(valid)")

    let parsed: Result<JSONValue, JSONParseError>
    do { parsed = .success(try JSONParser.parse(bytes)) } catch { parsed = .failure(error) }

    // The streaming reader over the same bytes.
    var skipper = JSONReader(bytes)
    let skipped: JSONParseError?
    do { try skipper.skipValue(); try skipper.finish(); skipped = nil } catch { skipped = error }
    var streamer = JSONReader(bytes)
    let streamed: Result<JSONValue, JSONParseError>
    do { let v = try streamer.readValue(); try streamer.finish(); streamed = .success(v) } catch { streamed = .failure(error) }

    switch parsed {
    case .failure(let error):
        fuzzCheck(!error.message.isEmpty && error.offset >= 0 && error.offset <= size, "error \(error.message) at \(error.offset)")
        // The tree parser alone refuses a UTF-8 byte order mark; the reader then fails on its first byte.
        let bom = size >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        if !bom {
            fuzzCheck(skipped == error, "parse failed with \(error), skipValue with \(String(describing: skipped))")
            fuzzCheck(streamed == .failure(error), "parse failed with \(error), readValue gave \(streamed)")
        } else {
            fuzzCheck(skipped != nil, "skipValue accepted a document with a BOM")
        }
    case .success(let value):
        fuzzCheck(skipped == nil, "parse succeeded, skipValue failed: \(skipped!)")
        fuzzCheck(streamed == .success(value), "parse and readValue disagree: \(streamed)")
        let encoded = value.encoded
        let again: JSONValue
        do { again = try JSONParser.parse(encoded) } catch {
            fuzzFail("the writer's output does not parse: \(error)\n\(String(decoding: encoded, as: UTF8.self))")
        }
        fuzzCheck(again == value, "round trip changed the value:\n\(value)\n\(again)")
        fuzzCheck(again.encoded == encoded, "re-encoding is not stable")
        checkNumbers(value)
    }

    // Any text through the writer's escaping and back.
    let text = String(decoding: bytes, as: UTF8.self)
    var quoted: [UInt8] = []
    appendJSONString(text, to: &quoted)
    do {
        let back = try JSONParser.parse(quoted)
        fuzzCheck(back.stringValue.map { Array($0.utf8) } == Array(text.utf8), "string round trip changed the text")
    } catch {
        fuzzFail("an escaped string does not parse: \(error)")
    }
    return 0
}

/// Integer literals convert exactly, as the standard library would convert them.
private func checkNumbers(_ value: JSONValue) {
    switch value {
    case .number(let n):
        fuzzCheck(JSONNumber(text: n.text) == n, "the literal \(n.text) does not re-validate")
        if n.isInteger {
            fuzzCheck(n.int64 == Int64(n.text), "int64 of \(n.text) is \(String(describing: n.int64))")
        } else {
            fuzzCheck(n.int64 == nil, "int64 of the non-integer \(n.text)")
        }
        _ = n.double
    case .array(let elements):
        for element in elements { checkNumbers(element) }
    case .object(let object):
        for member in object.members { checkNumbers(member.value) }
    case .null, .bool, .string:
        break
    }
}
