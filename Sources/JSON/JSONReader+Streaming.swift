/// The reader as a streaming scanner over one object: members are read or skipped in order and nothing
/// is built that the caller does not ask for (JWT headers and claims on every authenticated request).
/// Values are checked as strictly as the tree parser checks them; errors are its `JSONParseError`s.
extension JSONReader {
    /// Consumes the `{` that opens the object to stream (leading whitespace allowed).
    public mutating func beginObject() throws(JSONParseError) {
        skipWhitespace()
        guard i < end && p[i] == UInt8(ascii: "{") else {
            throw JSONSyntaxFailure(.expectingObject, at: i).publicError(in: p)
        }
        i += 1
        atFirstMember = true
    }

    /// The next member's key, its `:` consumed so that the value comes next; nil once the closing `}`
    /// is consumed.
    public mutating func nextKey() throws(JSONParseError) -> String? {
        do { return try streamKey() } catch { throw error.publicError(in: p) }
    }

    /// Whether the next value is a string (so that `readString` will not fail on its type).
    public mutating func nextIsString() -> Bool {
        skipWhitespace()
        return i < end && p[i] == UInt8(ascii: "\"")
    }

    /// Reads a string value.
    public mutating func readString() throws(JSONParseError) -> String {
        do throws(Failure) {
            skipWhitespace()
            guard i < end && p[i] == UInt8(ascii: "\"") else { throw Failure(.expectingString, at: i) }
            return try parseString()
        } catch {
            throw error.publicError(in: p)
        }
    }

    /// Reads a number as an Int64, truncating a fraction toward zero ("12.9" → 12, "1.5e3" → 1500);
    /// fails when the value is not a number or out of Int64's range.
    public mutating func readInteger() throws(JSONParseError) -> Int64 {
        do throws(Failure) {
            skipWhitespace()
            let start = i
            let length = JSONNumberGrammar.matchLength(p, from: start)
            guard length > 0 else { throw Failure(.expectingNumber, at: start) }
            i = start + length
            return try Self.integerPart(UnsafeBufferPointer(rebasing: p[start..<i]), at: start)
        } catch {
            throw error.publicError(in: p)
        }
    }

    /// Reads the next value of any type as a tree.
    public mutating func readValue() throws(JSONParseError) -> JSONValue {
        do throws(Failure) {
            skipWhitespace()
            return try parseValue()
        } catch {
            throw error.publicError(in: p)
        }
    }

    /// Skips the next value of any type, validating it.
    public mutating func skipValue() throws(JSONParseError) {
        do { try skipAnyValue() } catch { throw error.publicError(in: p) }
    }

    /// Checks that only whitespace follows.
    public mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        guard i == end else { throw JSONSyntaxFailure(.extraData, at: i).publicError(in: p) }
    }

    // MARK: Internals

    mutating func streamKey() throws(Failure) -> String? {
        skipWhitespace()
        guard i < end else { throw Failure(atFirstMember ? .expectingPropertyName : .expectingComma, at: i) }
        if p[i] == UInt8(ascii: "}") {
            i += 1
            return nil
        }
        if !atFirstMember {
            guard p[i] == UInt8(ascii: ",") else { throw Failure(.expectingComma, at: i) }
            i += 1
            skipWhitespace()
        }
        atFirstMember = false
        guard i < end && p[i] == UInt8(ascii: "\"") else { throw Failure(.expectingPropertyName, at: i) }
        let key = try parseString()
        skipWhitespace()
        guard i < end && p[i] == UInt8(ascii: ":") else { throw Failure(.expectingColon, at: i) }
        i += 1
        return key
    }

    /// The value of a number literal (already matched against the grammar), truncated toward zero.
    static func integerPart(_ literal: UnsafeBufferPointer<UInt8>, at offset: Int) throws(Failure) -> Int64 {
        if literal.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
            // Rare form (1.7e9): the standard library reads the validated literal.
            guard let d = Double(String(decoding: literal, as: UTF8.self)), d.isFinite,
                  d > -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else {
                throw Failure(.numberOutOfRange, at: offset)
            }
            return Int64(d.rounded(.towardZero))
        }
        let negative = literal[0] == UInt8(ascii: "-")
        var k = negative ? 1 : 0
        var magnitude: UInt64 = 0
        while k < literal.count && JSONNumberGrammar.isDigit(literal[k]) {
            let (scaled, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.addingReportingOverflow(UInt64(literal[k] &- UInt8(ascii: "0")))
            guard !o1 && !o2 else { throw Failure(.numberOutOfRange, at: offset) }
            magnitude = sum
            k += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Failure(.numberOutOfRange, at: offset) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Failure(.numberOutOfRange, at: offset) }
        return Int64(magnitude)
    }

    /// Skips a value like `parseValue` reads it, without building strings or containers.
    mutating func skipAnyValue() throws(Failure) {
        skipWhitespace()
        guard i < end else { throw Failure(.expectingValue, at: i) }
        switch p[i] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "["):
            try enterContainer()
            if i < end && p[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return }
            while true {
                try skipAnyValue()
                if try closedOrContinued(UInt8(ascii: "]")) { break }
            }
            depth -= 1
        case UInt8(ascii: "{"):
            try enterContainer()
            if i < end && p[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return }
            while true {
                guard i < end && p[i] == UInt8(ascii: "\"") else { throw Failure(.expectingPropertyName, at: i) }
                try skipString()
                skipWhitespace()
                guard i < end && p[i] == UInt8(ascii: ":") else { throw Failure(.expectingColon, at: i) }
                i += 1
                try skipAnyValue()
                if try closedOrContinued(UInt8(ascii: "}")) { break }
            }
            depth -= 1
        default:
            _ = try parseValue()  // literals and numbers: nothing worth sparing
        }
    }

    /// After a container's element: consumes `close` (true) or a `,` and the whitespace after it (false).
    @inline(__always)
    private mutating func closedOrContinued(_ close: UInt8) throws(Failure) -> Bool {
        skipWhitespace()
        guard i < end else { throw Failure(.expectingComma, at: i) }
        let byte = p[i]
        i += 1
        if byte == close { return true }
        guard byte == UInt8(ascii: ",") else { throw Failure(.expectingComma, at: i - 1) }
        skipWhitespace()
        return false
    }

    /// Skips the string whose opening quote is at the cursor, validating UTF-8 and escapes.
    mutating func skipString() throws(Failure) {
        let quote = i
        i += 1
        scratch.removeAll(keepingCapacity: true)
        while true {
            skipPlainASCII()
            guard i < end else { break }
            let byte = p[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                try decodeEscape(stringStart: quote)
            } else if byte < 0x20 {
                throw Failure(.invalidControlCharacter, at: i)
            } else {
                try skipUTF8Sequence()
            }
        }
        throw Failure(.unterminatedString, at: quote)
    }
}
