import CCrypto

/// Compares two byte strings in time independent of where they differ (CRYPTO_memcmp).
/// Lengths are not secret: different lengths return false at once.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in constantTimeEquals(pa, pb) } }
}

/// Buffer form of `constantTimeEquals`, for callers that already hold raw bytes.
public func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
    return CRYPTO_memcmp(pa, pb, a.count) == 0
}
