import JSON

/// JSON for JWT headers and claims: `JSONWriter` for signing, `JSONReader` as a streaming scanner for
/// verifying (no tree is built on this per-request path).
enum JWTClaimsCoding {
    /// The claims as a JSON object, in the member order djangorestframework-simplejwt uses.
    static func encode(_ claims: JWTClaims) -> [UInt8] {
        var w = JSONWriter(capacity: 96 + claims.tokenType.utf8.count + claims.id.utf8.count + claims.subject.utf8.count)
        w.beginObject()
        w.key("token_type"); w.string(claims.tokenType)
        w.key("exp"); w.int(Int(claims.expiresAt))
        w.key("iat"); w.int(Int(claims.issuedAt))
        w.key("jti"); w.string(claims.id)
        w.key("sub"); w.string(claims.subject)
        if claims.generation != 0 { w.key("gen"); w.int(Int(claims.generation)) }
        w.endObject()
        return w.bytes
    }

    /// Whether a decoded header is a JSON object whose `alg` is "HS256"; nil if it is not a JSON object
    /// (or names `alg` twice). A missing or non-string `alg` is false.
    static func headerNamesHS256(_ json: UnsafeBufferPointer<UInt8>) -> Bool? {
        do throws(JSONParseError) {
            var reader = JSONReader(json)
            try reader.beginObject()
            var alg: String?
            var sawAlg = false
            while let key = try reader.nextKey() {
                if key == "alg" {
                    guard !sawAlg else { return nil }
                    sawAlg = true
                    // A wrong-typed alg is still valid JSON: note it and carry on validating.
                    if reader.nextIsString() { alg = try reader.readString() } else { try reader.skipValue() }
                } else {
                    try reader.skipValue()
                }
            }
            try reader.finish()
            return alg == "HS256"
        } catch {
            return nil
        }
    }

    /// The five claims from a decoded payload; nil if it is not a JSON object, a claim is missing,
    /// repeated or of the wrong type.
    static func decode(_ json: UnsafeBufferPointer<UInt8>) -> JWTClaims? {
        do throws(JSONParseError) {
            var reader = JSONReader(json)
            try reader.beginObject()
            var tokenType: String?, subject: String?, id: String?
            var issuedAt: Int64?, expiresAt: Int64?, generation: Int64?
            while let key = try reader.nextKey() {
                switch key {
                case "token_type": guard tokenType == nil else { return nil }; tokenType = try reader.readString()
                case "sub": guard subject == nil else { return nil }; subject = try reader.readString()
                case "jti": guard id == nil else { return nil }; id = try reader.readString()
                case "iat": guard issuedAt == nil else { return nil }; issuedAt = try reader.readInteger()
                case "exp": guard expiresAt == nil else { return nil }; expiresAt = try reader.readInteger()
                case "gen": guard generation == nil else { return nil }; generation = try reader.readInteger()
                default: try reader.skipValue()
                }
            }
            try reader.finish()
            // A second occurrence of a claim is refused above: duplicate keys invite parser disagreements.
            guard let tokenType, let subject, let id, let issuedAt, let expiresAt else { return nil }
            return JWTClaims(tokenType: tokenType, subject: subject, id: id, issuedAt: issuedAt, expiresAt: expiresAt,
                             generation: generation ?? 0)
        } catch {
            return nil
        }
    }
}
