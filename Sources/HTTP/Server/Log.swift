#if canImport(Glibc)
import Glibc
#endif

/// Severity of a log line, written as journald's priority prefix ("<3>") and a word.
public enum LogLevel: Sendable {
    case error, warning, info

    var prefix: String {
        switch self {
        case .error: return "<3>"
        case .warning: return "<4>"
        case .info: return "<6>"
        }
    }

    var word: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "info"
        }
    }
}

/// One line to stderr, e.g. "<6>2026-12-07T16:25:00Z info message", written with a single write(2) so
/// that lines from several threads do not interleave.
public func logLine(level: LogLevel, _ message: String) {
    var clock = timespec()
    clock_gettime(CLOCK_REALTIME, &clock)
    let line = Array("\(level.prefix)\(isoTimestamp(clock.tv_sec)) \(level.word) \(message)\n".utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// An info line (`logLine(level: .info, message)`).
public func logLine(_ message: String) {
    logLine(level: .info, message)
}

/// "2026-12-07T16:25:00Z" for a time in seconds since the epoch.
public func isoTimestamp(_ seconds: Int) -> String {
    var t = seconds
    var tmv = tm()
    gmtime_r(&t, &tmv)
    var buffer = [CChar](repeating: 0, count: 32)
    let n = strftime(&buffer, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The access log: one info line per answered request, holding no secret.
public enum AccessLog {
    /// The default `ServerConfiguration.redactPath`: the values of `signature` query parameters become "…".
    @Sendable public static func redactSignatures(_ target: String) -> String {
        // Most targets have no query: one scan of the contiguous bytes, no Character processing.
        guard let question = firstIndex(of: UInt8(ascii: "?"), in: target),
              containsSignature(target.utf8[question...]) else {
            return target
        }
        let pairs = target[target.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        let redacted = pairs.map { pair -> Substring in pair.hasPrefix("signature=") ? "signature=…" : pair }
        return target[...question] + redacted.joined(separator: "&")
    }

    private static let signatureBytes = Array("signature=".utf8)

    /// `memchr` over a native string's bytes: iterating `String.UTF8View` index by index costs some 30
    /// instructions a byte, which made this scan the dearest part of a small request's log line.
    static func firstIndex(of byte: UInt8, in text: String) -> String.Index? {
        let offset = text.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let base = bytes.baseAddress, let hit = memchr(base, Int32(byte), bytes.count) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
        switch offset {
        case .some(.some(let n)): return text.utf8.index(text.utf8.startIndex, offsetBy: n)
        case .some(.none): return nil
        case .none: return text.utf8.firstIndex(of: byte)
        }
    }

    private static func containsSignature(_ bytes: Substring.UTF8View) -> Bool {
        var rest = bytes[...]
        while let first = rest.firstIndex(of: signatureBytes[0]) {
            if rest[first...].starts(with: signatureBytes) { return true }
            rest = rest[rest.index(after: first)...]
        }
        return false
    }

    /// Appends "<6>2026-12-07T16:25:00Z info GET /path 200 12ms 345B 127.0.0.1 - <request id>\n": method,
    /// target (redacted), status, duration, response body bytes, client address, user (or "-"), request id.
    /// Written as bytes into the loop's buffer: string interpolation cost more than the rest of a small request.
    static func append(to line: inout [UInt8], timestamp: String, method: String, target: String, status: Int,
                       millis: Int64, bytes: Int, client: String, user: String?, requestId: String) {
        line.append(contentsOf: infoPrefix)
        line.append(contentsOf: timestamp.utf8)
        line.append(contentsOf: infoWord)
        line.append(contentsOf: method.utf8)
        line.append(space)
        line.append(contentsOf: target.utf8)
        line.append(space)
        appendDecimal(Int64(status), to: &line)
        line.append(space)
        appendDecimal(millis, to: &line)
        line.append(UInt8(ascii: "m"))
        line.append(UInt8(ascii: "s"))
        line.append(space)
        appendDecimal(Int64(bytes), to: &line)
        line.append(UInt8(ascii: "B"))
        line.append(space)
        line.append(contentsOf: client.utf8)
        line.append(space)
        line.append(contentsOf: user.map(field)?.utf8 ?? "-".utf8)
        line.append(space)
        line.append(contentsOf: requestId.utf8)
        line.append(UInt8(ascii: "\n"))
    }

    /// The line `append(to:…)` writes, as a string (tests).
    static func line(timestamp: String, method: String, target: String, status: Int, millis: Int64, bytes: Int,
                     client: String, user: String?, requestId: String) -> String {
        var line: [UInt8] = []
        append(to: &line, timestamp: timestamp, method: method, target: target, status: status, millis: millis,
               bytes: bytes, client: client, user: user, requestId: requestId)
        return String(decoding: line, as: UTF8.self)
    }

    private static let infoPrefix = Array("<6>".utf8)
    private static let infoWord = Array(" info ".utf8)
    private static let space = UInt8(ascii: " ")

    private static func appendDecimal(_ value: Int64, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        var v = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - n)...]))
        }
    }

    /// A value made safe for one space-separated field: no spaces, no control characters, not empty.
    static func field(_ value: String) -> String {
        // The usual value (a user token) is already safe: one scan of the contiguous bytes, no copy.
        let alreadySafe = value.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte <= 0x20 || byte == 0x7F { return false }
            return !bytes.isEmpty
        } ?? false
        if alreadySafe { return value }
        let safe = String(value.unicodeScalars.map { $0.value <= 0x20 || $0.value == 0x7F ? "_" : Character($0) })
        return safe.isEmpty ? "-" : safe
    }
}
