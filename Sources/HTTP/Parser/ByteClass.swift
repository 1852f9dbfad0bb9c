/// Byte constants and character classes shared by the HTTP/1.1 parsers (RFC 9110 section 5.6).
enum ByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let percent: UInt8 = 0x25
    static let plus: UInt8 = 0x2B

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    //         / DIGIT / ALPHA, as two 64-bit masks so the test is a shift, not a table load.
    private static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// True for a token character (RFC 9110 section 5.6.2).
    @inline(__always)
    static func isTchar(_ b: UInt8) -> Bool {
        if b < 64 { return (tcharLow >> UInt64(b)) & 1 == 1 }
        if b < 128 { return (tcharHigh >> UInt64(b &- 64)) & 1 == 1 }
        return false
    }

    /// True for SP or HTAB (optional whitespace).
    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == space || b == tab }

    /// True for a byte allowed in a field value: HTAB, visible ASCII, SP, obs-text.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool { b == tab || (b >= 0x20 && b != 0x7F) }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x41...0x46: return b &- 0x41 &+ 10
        case 0x61...0x66: return b &- 0x61 &+ 10
        default: return nil
        }
    }

    /// ASCII lower-casing of one byte; other bytes unchanged.
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
}
