#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, IPv4 held as ::ffff:a.b.c.d so that both families compare and match blocks.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The 128 bits, most significant first.
    let high: UInt64
    let low: UInt64

    /// A numeric address ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"); nil for anything else.
    init?(_ text: some StringProtocol) {
        var v6 = in6_addr()
        var v4 = in_addr()
        let string = String(text)
        if inet_pton(AF_INET6, string, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        } else if inet_pton(AF_INET, string, &v4) == 1 {
            high = 0
            low = 0xFFFF_0000_0000 | UInt64(UInt32(bigEndian: v4.s_addr))
        } else {
            return nil
        }
    }

    var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The canonical text (IPv4 dotted for IPv4 and IPv4-mapped addresses).
    var description: String {
        if isIPv4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        _ = bytes.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// An address or a CIDR block of addresses ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7").
public struct AddressBlock: Sendable, Equatable, CustomStringConvertible {
    let base: IPAddress
    /// Leading bits that must match, counted over 128 (an IPv4 /8 is 104).
    let prefix: Int
    public let description: String

    /// nil unless `text` is one numeric address, optionally with a prefix length in its family's range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), (0...width).contains(n) else {
                return nil
            }
            length = n
        }
        prefix = length + (128 - width)
        let (high, low) = Self.mask(prefix)
        base = IPAddress(high: address.high & high, low: address.low & low)
        description = text
    }

    func contains(_ address: IPAddress) -> Bool {
        let (high, low) = Self.mask(prefix)
        return address.high & high == base.high && address.low & low == base.low
    }

    private static func mask(_ bits: Int) -> (UInt64, UInt64) {
        let high: UInt64 = bits >= 64 ? .max : bits == 0 ? 0 : ~(UInt64.max >> UInt64(bits))
        let low: UInt64 = bits >= 128 ? .max : bits <= 64 ? 0 : ~(UInt64.max >> UInt64(bits - 64))
        return (high, low)
    }
}

extension IPAddress {
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// The proxies whose `X-Forwarded-For` the server believes (SPEC 12, "behind a proxy").
public struct TrustedProxies: Sendable {
    public let blocks: [AddressBlock]

    public init(_ blocks: [AddressBlock] = []) {
        self.blocks = blocks
    }

    /// Comma-separated addresses and CIDR blocks (the form of `TSUNA_TRUSTED_PROXIES`); blank → none.
    /// Throws naming the first entry that is neither.
    public static func parse(_ list: String) throws(TrustedProxiesError) -> TrustedProxies {
        var blocks: [AddressBlock] = []
        for raw in list.split(separator: ",") {
            let entry = raw.trimmingSpaces
            if entry.isEmpty { continue }
            guard let block = AddressBlock(entry) else { throw TrustedProxiesError(entry: entry) }
            blocks.append(block)
        }
        return TrustedProxies(blocks)
    }

    public var isEmpty: Bool { blocks.isEmpty }

    /// Whether `address` (numeric) is one of the trusted proxies.
    public func contains(_ address: String) -> Bool {
        guard !blocks.isEmpty, let ip = IPAddress(address) else { return false }
        return contains(ip)
    }

    func contains(_ ip: IPAddress) -> Bool {
        blocks.contains { $0.contains(ip) }
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For` values: the peer
    /// itself unless it is trusted; else the right-most entry that is not a trusted proxy (all trusted →
    /// the left-most). An entry that is not an address where a trusted proxy wrote one → the peer.
    public func clientAddress(peer: String, forwardedFor: [String]) -> String {
        guard !blocks.isEmpty, !forwardedFor.isEmpty, contains(peer) else { return peer }
        var entries: [Substring] = []
        for value in forwardedFor {
            for entry in value.split(separator: ",") { entries.append(entry) }
        }
        var leftmost: IPAddress?
        for entry in entries.reversed() {
            guard let ip = IPAddress(Self.withoutPort(entry.trimmingSpaces)) else { return peer }
            if !contains(ip) { return ip.description }
            leftmost = ip
        }
        return leftmost?.description ?? peer
    }

    /// "192.0.2.1:8080" → "192.0.2.1"; "[2001:db8::1]:80" → "2001:db8::1"; other forms unchanged.
    static func withoutPort(_ entry: String) -> Substring {
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            return entry[entry.index(after: entry.startIndex)..<close]
        }
        if let colon = entry.firstIndex(of: ":"), entry[entry.index(after: colon)...].firstIndex(of: ":") == nil {
            return entry[..<colon]
        }
        return entry[...]
    }
}

/// A `TrustedProxies` list entry that is neither an address nor a CIDR block.
public struct TrustedProxiesError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String { "not an IP address or CIDR block: \"\(entry)\"" }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
