/// JSON for JWT headers and claims, without Foundation: a direct writer for signing and the strict
/// `JSONScanner` for verifying.
enum JWTClaimsCoding {
    /// The claims as a JSON object, in the member order djangorestframework-simplejwt uses.
    static func encode(_ claims: JWTClaims) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(96 + claims.tokenType.utf8.count + claims.id.utf8.count + claims.subject.utf8.count)
        append("{\"token_type\":", to: &out)
        appendQuoted(claims.tokenType, to: &out)
        append(",\"exp\":", to: &out)
        append(String(claims.expiresAt), to: &out)
        append(",\"iat\":", to: &out)
        append(String(claims.issuedAt), to: &out)
        append(",\"jti\":", to: &out)
        appendQuoted(claims.id, to: &out)
        append(",\"sub\":", to: &out)
        appendQuoted(claims.subject, to: &out)
        if claims.generation != 0 {
            append(",\"gen\":", to: &out)
            append(String(claims.generation), to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Whether a decoded header is a JSON object whose `alg` is "HS256"; nil if it is not a JSON object
    /// (or names `alg` twice). A missing or non-string `alg` is false.
    static func headerNamesHS256(_ json: UnsafeBufferPointer<UInt8>) -> Bool? {
        do throws(JSONScanError) {
            var scanner = try JSONScanner(validatingUTF8: json)
            try scanner.beginObject()
            var alg: String?
            var sawAlg = false
            while let key = try scanner.nextKey() {
                if key == "alg" {
                    guard !sawAlg else { return nil }
                    sawAlg = true
                    // A wrong-typed alg is still valid JSON: note it and carry on validating.
                    if scanner.nextIsString() { alg = try scanner.readString() } else { try scanner.skipValue() }
                } else {
                    try scanner.skipValue()
                }
            }
            try scanner.finish()
            return alg == "HS256"
        } catch {
            return nil
        }
    }

    /// The five claims from a decoded payload; nil if it is not a JSON object, a claim is missing,
    /// repeated or of the wrong type.
    static func decode(_ json: UnsafeBufferPointer<UInt8>) -> JWTClaims? {
        do throws(JSONScanError) {
            var scanner = try JSONScanner(validatingUTF8: json)
            try scanner.beginObject()
            var tokenType: String?, subject: String?, id: String?
            var issuedAt: Int64?, expiresAt: Int64?, generation: Int64?
            while let key = try scanner.nextKey() {
                switch key {
                case "token_type": try read(&tokenType, scanner.readString())
                case "sub": try read(&subject, scanner.readString())
                case "jti": try read(&id, scanner.readString())
                case "iat": try read(&issuedAt, scanner.readInteger())
                case "exp": try read(&expiresAt, scanner.readInteger())
                case "gen": try read(&generation, scanner.readInteger())
                default: try scanner.skipValue()
                }
            }
            try scanner.finish()
            guard let tokenType, let subject, let id, let issuedAt, let expiresAt else { return nil }
            return JWTClaims(tokenType: tokenType, subject: subject, id: id, issuedAt: issuedAt, expiresAt: expiresAt,
                             generation: generation ?? 0)
        } catch {
            return nil
        }
    }

    /// Stores a claim, rejecting a second occurrence (duplicate keys invite parser disagreements).
    private static func read<T>(_ slot: inout T?, _ value: @autoclosure () throws(JSONScanError) -> T) throws(JSONScanError) {
        guard slot == nil else { throw JSONScanError() }
        slot = try value()
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    /// Appends `s` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Common case: nothing to escape, so copy the bytes in one go.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex.utf8Start[Int(c >> 4)], hex.utf8Start[Int(c & 0x0F)]])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
