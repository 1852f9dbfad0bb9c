import Platform
import CCrypto

/// HMAC-SHA256 (RFC 2104) one-shot helpers.
public enum HMACSHA256 {
    /// Length of an HMAC-SHA256 tag in bytes.
    public static let length = 32

    /// The HMAC-SHA256 of `message` under `key`.
    public static func mac(key: [UInt8], message: UnsafeRawBufferPointer) -> [UInt8] {
        let ctx = key.withUnsafeBytes { OpenSSLHMAC.newContext(key: $0) }
        defer { EVP_MAC_CTX_free(ctx) }
        return OpenSSLHMAC.finish(ctx, message: message)
    }

    /// The HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    public static func mac(key: [UInt8], message: String) -> [UInt8] {
        var message = message
        return message.withUTF8 { mac(key: key, message: UnsafeRawBufferPointer($0)) }
    }
}

/// A reusable HMAC-SHA256 key. The key schedule (inner and outer padded digests) is computed once;
/// each MAC reuses an idle, already-keyed OpenSSL context, so the hot path does no setup or fetch.
/// Thread-safe for concurrent use.
public final class HMACKey: Sendable {
    /// A keyed context that is never used directly, only duplicated when no idle one is left.
    /// Unsafe only to the compiler: after init OpenSSL only reads it (EVP_MAC_CTX_dup), from any thread.
    nonisolated(unsafe) private let template: OpaquePointer
    /// Keyed contexts free for reuse; at most `maxIdle` are kept.
    private let idle = Locked<[OpaquePointer]>([])
    private static let maxIdle = 64

    /// Prepares `key` for repeated MACs.
    public init(_ key: [UInt8]) {
        template = key.withUnsafeBytes { OpenSSLHMAC.newContext(key: $0) }
    }

    deinit {
        EVP_MAC_CTX_free(template)
        idle.withLock { contexts in
            for ctx in contexts { EVP_MAC_CTX_free(ctx) }
            contexts.removeAll()
        }
    }

    /// The HMAC-SHA256 of `m` under this key.
    public func mac(_ m: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: HMACSHA256.length) { out, initialized in
            mac(m, into: UnsafeMutableRawBufferPointer(out))
            initialized = HMACSHA256.length
        }
    }

    /// The HMAC-SHA256 of the UTF-8 bytes of `m` under this key.
    public func mac(_ m: String) -> [UInt8] {
        var m = m
        return m.withUTF8 { mac(UnsafeRawBufferPointer($0)) }
    }

    /// Writes the 32-byte HMAC-SHA256 of `m` into `out` (which must hold at least 32 bytes),
    /// without allocating.
    public func mac(_ m: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= HMACSHA256.length, "HMAC output buffer too small")
        // A keyed context has one owner at a time: the idle list (under its lock) or this call.
        let ctx = idle.withLock { $0.popLast() } ?? duplicateTemplate()
        // Re-initialising without a key restarts from the stored inner-pad state.
        guard EVP_MAC_init(ctx, nil, 0, nil) == 1 else { fatalError("EVP_MAC_init failed") }
        OpenSSLHMAC.finish(ctx, message: m, into: out)
        let kept = idle.withLock { contexts -> Bool in
            guard contexts.count < Self.maxIdle else { return false }
            contexts.append(ctx)
            return true
        }
        if !kept { EVP_MAC_CTX_free(ctx) }
    }

    private func duplicateTemplate() -> OpaquePointer {
        guard let ctx = EVP_MAC_CTX_dup(template) else { fatalError("EVP_MAC_CTX_dup failed") }
        return ctx
    }
}

/// Thin wrappers over OpenSSL 3's EVP_MAC interface for HMAC-SHA256.
enum OpenSSLHMAC {
    /// The HMAC implementation, fetched once per process (a fetch takes locks and walks providers).
    /// Unsafe only to the compiler: a fetched EVP_MAC is immutable and OpenSSL shares it across threads.
    nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL has no HMAC") }
        return mac
    }()

    /// A new HMAC-SHA256 context keyed with `key`, ready for updates. Traps only on allocation failure.
    static func newContext(key: UnsafeRawBufferPointer) -> OpaquePointer {
        guard let ctx = EVP_MAC_CTX_new(algorithm) else { fatalError("EVP_MAC_CTX_new failed") }
        // A non-null pointer even for an empty key: a null key means "keep the previous key".
        var empty: UInt8 = 0
        let ok = withUnsafeMutablePointer(to: &empty) { emptyPointer -> Int32 in
            let keyPointer = key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer)
            return "digest".withCString { name in
                "SHA256".withCString { digest in
                    var params = [
                        OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                        OSSL_PARAM_construct_end(),
                    ]
                    return EVP_MAC_init(ctx, keyPointer, key.count, &params)
                }
            }
        }
        guard ok == 1 else { fatalError("EVP_MAC_init(HMAC-SHA256) failed") }
        return ctx
    }

    /// Feeds `message` to a keyed, initialised context and writes the 32-byte tag into `out`.
    static func finish(_ ctx: OpaquePointer, message: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        if let base = message.baseAddress, message.count > 0 {
            guard EVP_MAC_update(ctx, base.assumingMemoryBound(to: UInt8.self), message.count) == 1 else {
                fatalError("EVP_MAC_update failed")
            }
        }
        var written = 0
        let outPointer = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard EVP_MAC_final(ctx, outPointer, &written, out.count) == 1, written == HMACSHA256.length else {
            fatalError("EVP_MAC_final failed")
        }
    }

    static func finish(_ ctx: OpaquePointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: HMACSHA256.length) { out, initialized in
            finish(ctx, message: message, into: UnsafeMutableRawBufferPointer(out))
            initialized = HMACSHA256.length
        }
    }
}
