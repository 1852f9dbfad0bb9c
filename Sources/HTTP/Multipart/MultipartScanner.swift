#if canImport(Glibc)
import Glibc
#endif

/// The RFC 2046 state machine: finds delimiters in successive windows of the body and hands each part's
/// headers and data to a `FormAssembler`.
///
/// The caller presents a window, the scanner returns how many leading bytes it consumed, and the caller
/// presents the unconsumed rest again together with more bytes. Unconsumed bytes stay small: a possible
/// partial delimiter, or a header block of at most `maxPartHeaderBytes`.
struct MultipartScanner {
    private enum State { case preamble, delimiterLine, headers, data, done }

    /// "\r\n--" + boundary: every delimiter but one at the very start of the body, which lacks the CRLF.
    private let delimiter: [UInt8]
    private let maxParts: Int
    private let maxHeaderBytes: Int
    private var state = State.preamble
    private var atBodyStart = true
    /// True until the first bytes of the current part's data were examined.
    private var atPartStart = false
    private var partCount = 0
    var assembler: FormAssembler

    /// True once the close delimiter was seen; the rest of the body (the epilogue) is irrelevant.
    var isDone: Bool { state == .done }

    init(boundary: String, limits: MultipartLimits, assembler: FormAssembler) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        maxParts = limits.maxParts
        maxHeaderBytes = min(max(limits.maxPartHeaderBytes, 0), 1 << 40)   // keeps index arithmetic far from overflow
        self.assembler = assembler
    }

    /// Consumes what it can of `window`; `atEOF` says no more bytes will follow. Throws on any violation
    /// of the format or the limits, and at end of input unless the close delimiter was found.
    mutating func feed(_ window: UnsafeRawBufferPointer, atEOF: Bool) throws(MultipartError) -> Int {
        guard let base = window.baseAddress?.assumingMemoryBound(to: UInt8.self), !window.isEmpty else {
            if atEOF && state != .done { throw Self.truncated(state) }
            return 0
        }
        let count = window.count
        var pos = 0
        while true {
            switch state {
            case .done:
                return count

            case .preamble:
                if atBodyStart {
                    let verdict = leadingDelimiter(base, count: count, at: pos, atEOF: atEOF)
                    if verdict == .needMore { return pos }
                    atBodyStart = false
                    if verdict != .notDelimiter {
                        pos += delimiter.count - 2
                        state = verdict == .close ? .done : .delimiterLine
                        continue
                    }
                }
                var from = pos
                while true {
                    guard let i = find(base, from: from, end: count) else {
                        if atEOF { throw .malformedBody("the boundary does not occur in the body.") }
                        return max(pos, count - (delimiter.count - 1))
                    }
                    let verdict = classify(base, count: count, after: i + delimiter.count, atEOF: atEOF)
                    if verdict == .needMore { return i }
                    if verdict == .notDelimiter { from = i + 1; continue }
                    pos = i + delimiter.count
                    state = verdict == .close ? .done : .delimiterLine
                    break
                }

            case .delimiterLine:
                // Transport padding (spaces, tabs), then CRLF.
                while pos < count && HeaderParameters.isSpace(base[pos]) { pos += 1 }
                if count - pos < 2 {
                    if atEOF { throw Self.truncated(state) }
                    return pos
                }
                guard base[pos] == 0x0D && base[pos + 1] == 0x0A else {
                    throw .malformedBody("a boundary line does not end with CRLF.")
                }
                pos += 2
                partCount += 1
                guard partCount <= maxParts else { throw .tooManyParts }
                state = .headers

            case .headers:
                if count - pos >= 2 && base[pos] == 0x0D && base[pos + 1] == 0x0A {
                    assembler.begin(PartHeaders())      // no headers at all: no name, ignored
                    pos += 2
                    state = .data
                    atPartStart = true
                    continue
                }
                let searchEnd = min(count, pos + maxHeaderBytes + 4)
                guard let blockEnd = findBlankLine(base, from: pos, end: searchEnd) else {
                    if count - pos >= maxHeaderBytes + 4 { throw .partHeadersTooLarge }
                    if atEOF { throw Self.truncated(state) }
                    return pos
                }
                let headers = try PartHeaders.parse(UnsafeRawBufferPointer(start: base + pos, count: blockEnd - pos))
                assembler.begin(headers)
                pos = blockEnd + 4
                state = .data
                atPartStart = true

            case .data:
                if atPartStart {
                    // RFC 2046 lets a part end right after its headers: the CRLF before this delimiter
                    // was the one that ended the header block.
                    let verdict = leadingDelimiter(base, count: count, at: pos, atEOF: atEOF)
                    if verdict == .needMore { return pos }
                    atPartStart = false
                    if verdict != .notDelimiter {
                        try assembler.end()
                        pos += delimiter.count - 2
                        state = verdict == .close ? .done : .delimiterLine
                        continue
                    }
                }
                var from = pos
                while true {
                    guard let i = find(base, from: from, end: count) else {
                        // Hand over the data first, so a size limit is reported before a truncation,
                        // whatever the read size.
                        let safe = atEOF ? count : max(pos, count - (delimiter.count - 1))
                        try assembler.append(UnsafeRawBufferPointer(start: base + pos, count: safe - pos))
                        if atEOF { throw Self.truncated(state) }
                        return safe
                    }
                    let verdict = classify(base, count: count, after: i + delimiter.count, atEOF: atEOF)
                    if verdict == .notDelimiter { from = i + 1; continue }
                    try assembler.append(UnsafeRawBufferPointer(start: base + pos, count: i - pos))
                    if verdict == .needMore { return i }
                    try assembler.end()
                    pos = i + delimiter.count
                    state = verdict == .close ? .done : .delimiterLine
                    break
                }
            }
        }
    }

    private enum Verdict { case open, close, notDelimiter, needMore }

    /// What follows a boundary ending at `after`: "--" closes, whitespace or a line break opens a part,
    /// anything else means the bytes were data that merely look like a delimiter.
    private func classify(_ base: UnsafePointer<UInt8>, count: Int, after: Int, atEOF: Bool) -> Verdict {
        guard after < count else { return atEOF ? .notDelimiter : .needMore }
        switch base[after] {
        case 0x20, 0x09, 0x0D, 0x0A:
            return .open
        case UInt8(ascii: "-"):
            guard after + 1 < count else { return atEOF ? .notDelimiter : .needMore }
            return base[after + 1] == UInt8(ascii: "-") ? .close : .notDelimiter
        default:
            return .notDelimiter
        }
    }

    /// Whether "--boundary" (the delimiter without its CRLF) followed by an open or close begins at `at`.
    private func leadingDelimiter(_ base: UnsafePointer<UInt8>, count: Int, at: Int, atEOF: Bool) -> Verdict {
        let dashLength = delimiter.count - 2
        if count - at < dashLength + 2 && !atEOF { return .needMore }
        guard count - at >= dashLength else { return .notDelimiter }
        let same = delimiter.withUnsafeBufferPointer { d in memcmp(base + at, d.baseAddress! + 2, dashLength) == 0 }
        return same ? classify(base, count: count, after: at + dashLength, atEOF: atEOF) : .notDelimiter
    }

    /// The first complete delimiter in `[from, end)`: memchr for CR (vectorised), then a compare.
    private func find(_ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        delimiter.withUnsafeBufferPointer { d -> Int? in
            let length = d.count
            var i = from
            while end - i >= length {
                guard let hit = memchr(base + i, 0x0D, end - i - length + 1) else { return nil }
                let j = hit.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base)
                if memcmp(base + j + 1, d.baseAddress! + 1, length - 1) == 0 { return j }
                i = j + 1
            }
            return nil
        }
    }

    /// The index of the first CRLFCRLF in `[from, end)`.
    private func findBlankLine(_ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        var i = from
        while end - i >= 4 {
            guard let hit = memchr(base + i, 0x0D, end - i - 3) else { return nil }
            let j = hit.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base)
            if base[j + 1] == 0x0A && base[j + 2] == 0x0D && base[j + 3] == 0x0A { return j }
            i = j + 1
        }
        return nil
    }

    private static func truncated(_ state: State) -> MultipartError {
        switch state {
        case .preamble: return .malformedBody("the boundary does not occur in the body.")
        case .headers, .delimiterLine: return .malformedBody("the body ends inside a part's headers.")
        case .data, .done: return .malformedBody("the body ends before the closing boundary.")
        }
    }
}
