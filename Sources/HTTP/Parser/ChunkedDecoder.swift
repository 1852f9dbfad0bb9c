/// Incremental decoder for a chunked request body (RFC 9112 section 7.1): chunk-size in hex, optional
/// chunk extensions (ignored but bounded), CRLF, data, CRLF, ..., last-chunk 0, optional trailer fields
/// (ignored but bounded), final CRLF. Decoded data is handed out through `emit` as it arrives.
public struct ChunkedDecoder: Sendable {
    /// Whether the body has been fully decoded.
    public enum Progress: Sendable { case needMore, done }

    private enum State: Sendable {
        case size, sizeWhitespace, extensionBytes, sizeLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerLine, trailerLF, finalLF
        case done, failed
    }

    /// Most hex digits in a chunk-size (leading zeros included); 16 fit a UInt64.
    static let maxSizeDigits = 16

    /// Largest decoded body accepted.
    public let maxBodyBytes: Int
    /// Most chunk-extension bytes accepted over the whole body.
    public let maxExtensionBytes: Int
    /// Most trailer-section bytes accepted.
    public let maxTrailerBytes: Int

    private var state = State.size
    private var sizeDigits = 0
    private var chunkSize: UInt64 = 0
    private var remaining: UInt64 = 0
    private var decodedTotal = 0
    private var extensionTotal = 0
    private var trailerTotal = 0

    /// A decoder refusing bodies over `maxBodyBytes` and oversized extensions or trailers.
    public init(maxBodyBytes: Int, maxExtensionBytes: Int = 4 * 1024, maxTrailerBytes: Int = 8 * 1024) {
        self.maxBodyBytes = max(0, maxBodyBytes)
        self.maxExtensionBytes = max(0, maxExtensionBytes)
        self.maxTrailerBytes = max(0, maxTrailerBytes)
    }

    /// Consumes as much of `input` as it can; returns how many bytes were consumed (bytes after the end
    /// of the body, e.g. a pipelined next request, are NOT consumed) and whether the body is complete.
    public mutating func feed(_ input: UnsafeRawBufferPointer,
                              emit: (UnsafeRawBufferPointer) throws -> Void) throws -> (consumed: Int, progress: Progress) {
        switch state {
        case .done: return (0, .done)
        case .failed: throw HTTPParseError.badChunk
        default: break
        }
        guard let view = ByteView(input) else { return (0, .needMore) }
        var i = 0
        while i < view.count {
            if state == .data {
                let available = view.count - i
                let take = remaining < UInt64(available) ? Int(remaining) : available
                try emit(UnsafeRawBufferPointer(start: view.base + i, count: take))
                remaining -= UInt64(take)
                i += take
                if remaining == 0 { state = .dataCR }
                continue
            }
            do {
                try step(view[i])
            } catch {
                state = .failed
                throw error
            }
            i += 1
            if state == .done { return (i, .done) }
        }
        return (i, .needMore)
    }

    /// Advances the framing state machine over one byte outside chunk data.
    private mutating func step(_ b: UInt8) throws {
        switch state {
        case .size:
            if let digit = ByteClass.hexValue(b) {
                guard sizeDigits < Self.maxSizeDigits else { throw HTTPParseError.badChunk }
                chunkSize = chunkSize << 4 | UInt64(digit)
                sizeDigits += 1
                return
            }
            guard sizeDigits > 0 else { throw HTTPParseError.badChunk }
            try acceptChunkSize()
            try afterSize(b)
        case .sizeWhitespace:
            try afterSize(b)
        case .extensionBytes:
            if b == ByteClass.cr { state = .sizeLF; return }
            guard ByteClass.isFieldValueByte(b), extensionTotal < maxExtensionBytes else { throw HTTPParseError.badChunk }
            extensionTotal += 1
        case .sizeLF:
            guard b == ByteClass.lf else { throw HTTPParseError.badChunk }
            if chunkSize == 0 {
                state = .trailerLineStart
            } else {
                remaining = chunkSize
                state = .data
            }
        case .dataCR:
            guard b == ByteClass.cr else { throw HTTPParseError.badChunk }
            state = .dataLF
        case .dataLF:
            guard b == ByteClass.lf else { throw HTTPParseError.badChunk }
            state = .size
            sizeDigits = 0
            chunkSize = 0
        case .trailerLineStart:
            if b == ByteClass.cr { state = .finalLF; return }
            try countTrailerByte(b)
            state = .trailerLine
        case .trailerLine:
            if b == ByteClass.cr { state = .trailerLF; return }
            try countTrailerByte(b)
        case .trailerLF:
            guard b == ByteClass.lf else { throw HTTPParseError.badChunk }
            state = .trailerLineStart
        case .finalLF:
            guard b == ByteClass.lf else { throw HTTPParseError.badChunk }
            state = .done
        case .data, .done, .failed:
            throw HTTPParseError.badChunk  // unreachable: handled by feed
        }
    }

    /// After the size digits: BWS, then ';' starting an extension, or the CR ending the line.
    private mutating func afterSize(_ b: UInt8) throws {
        if ByteClass.isOWS(b) {
            state = .sizeWhitespace
        } else if b == ByteClass.semicolon {
            state = .extensionBytes
        } else if b == ByteClass.cr {
            state = .sizeLF
        } else {
            throw HTTPParseError.badChunk
        }
    }

    /// Refuses the chunk before any of it is emitted when it would take the body over the limit.
    private mutating func acceptChunkSize() throws {
        guard chunkSize <= UInt64(maxBodyBytes - decodedTotal) else { throw HTTPParseError.bodyTooLarge }
        decodedTotal += Int(chunkSize)
    }

    /// Trailer fields are ignored, but must be field bytes and stay within `maxTrailerBytes`.
    private mutating func countTrailerByte(_ b: UInt8) throws {
        guard ByteClass.isFieldValueByte(b), trailerTotal < maxTrailerBytes else { throw HTTPParseError.badChunk }
        trailerTotal += 1
    }
}
