/// Parses JSON documents (RFC 8259) into `JSONValue`, with Python-style error messages.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 64

    /// Parses a complete document (RFC 8259; surrounding whitespace allowed; a UTF-8 BOM rejected; trailing
    /// garbage rejected). Limits: nesting depth ≤ 64, string/number tokens bounded by input size.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        // Raw request bytes are plain bytes: viewing them as UInt8 is how every byte parser reads them.
        let document = UnsafeBufferPointer<UInt8>(
            start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        return try parse(document)
    }

    /// Parses a complete document held in an array.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer) }
    }

    /// Parses a complete document held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            do throws(JSONParseError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses a complete document held in a typed byte buffer.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes)
        do {
            return try reader.parseDocument()
        } catch {
            throw error.publicError(in: bytes)
        }
    }
}

/// The one JSON reader: a cursor over UTF-8 bytes. `JSONParser` uses it to build a `JSONValue` tree;
/// callers that want a few members of a small object fast (JWT claims) use it as a streaming scanner
/// (`beginObject`, `nextKey`, `readString`, `readInteger`, `skipValue`, `finish`) and build nothing else.
/// The bytes must outlive the reader. Recursion is bounded by `JSONParser.maximumDepth`.
public struct JSONReader {
    typealias Failure = JSONSyntaxFailure

    let p: UnsafeBufferPointer<UInt8>
    let end: Int
    var i = 0
    var depth = 0
    /// Decoded bytes of the current string when it has escapes; reused across strings.
    var scratch: [UInt8] = []
    /// Streaming: whether the object opened by `beginObject` has had no member yet.
    var atFirstMember = true

    /// A reader at the start of `bytes`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        p = bytes
        end = bytes.count
    }

    mutating func parseDocument() throws(Failure) -> JSONValue {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw Failure(.unexpectedBOM, at: 0)
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if i != end { throw Failure(.extraData, at: i) }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    /// Parses the value at the cursor (whitespace already skipped).
    mutating func parseValue() throws(Failure) -> JSONValue {
        guard i < end else { throw Failure(.expectingValue, at: i) }
        switch p[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N") where matches("NaN", at: i): throw Failure(.nan, at: i)
        case UInt8(ascii: "I") where matches("Infinity", at: i): throw Failure(.infinity, at: i)
        default: throw Failure(.expectingValue, at: i)
        }
    }

    @inline(__always)
    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
        guard matches(word, at: i) else { throw Failure(.expectingValue, at: i) }
        i += word.utf8CodeUnitCount
        return value
    }

    @inline(__always)
    func matches(_ word: StaticString, at start: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - start >= count else { return false }
        let w = word.utf8Start
        for k in 0..<count where p[start + k] != w[k] { return false }
        return true
    }

    mutating func parseNumber() throws(Failure) -> JSONNumber {
        let start = i
        let length = JSONNumberGrammar.matchLength(p, from: start)
        guard length > 0 else {
            if matches("-Infinity", at: start) { throw Failure(.negativeInfinity, at: start) }
            throw Failure(.expectingValue, at: start)
        }
        i = start + length
        return JSONNumber(uncheckedText: JSONBytes.string(UnsafeBufferPointer(rebasing: p[start..<i])))
    }

    mutating func enterContainer() throws(Failure) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw Failure(.depthExceeded, at: i) }
        i += 1
        skipWhitespace()
    }

    mutating func parseArray() throws(Failure) -> JSONValue {
        try enterContainer()
        if i < end && p[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        // A small first allocation spares the 1-2-4-8 regrowth of typical bodies.
        var elements: [JSONValue] = []
        elements.reserveCapacity(8)
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard i < end else { throw Failure(.expectingComma, at: i) }
            let byte = p[i]
            i += 1
            if byte == UInt8(ascii: "]") { break }
            guard byte == UInt8(ascii: ",") else { throw Failure(.expectingComma, at: i - 1) }
            skipWhitespace()
        }
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(Failure) -> JSONValue {
        try enterContainer()
        if i < end && p[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject())
        }
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(8)
        while true {
            guard i < end && p[i] == UInt8(ascii: "\"") else { throw Failure(.expectingPropertyName, at: i) }
            let key = try parseString()
            skipWhitespace()
            guard i < end && p[i] == UInt8(ascii: ":") else { throw Failure(.expectingColon, at: i) }
            i += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key: key, value: value))
            skipWhitespace()
            guard i < end else { throw Failure(.expectingComma, at: i) }
            let byte = p[i]
            i += 1
            if byte == UInt8(ascii: "}") { break }
            guard byte == UInt8(ascii: ",") else { throw Failure(.expectingComma, at: i - 1) }
            skipWhitespace()
        }
        depth -= 1
        return .object(JSONObject(members))
    }
}
