/// Bounds the multipart parser enforces; every one protects memory, disk or time against hostile bodies.
public struct MultipartLimits: Sendable {
    /// Most parts accepted (ignored parts count too).
    public var maxParts: Int = 32
    /// Most bytes of one part's header block (without the blank line that ends it).
    public var maxPartHeaderBytes: Int = 8 * 1024
    /// Most bytes of a plain (non-file) field's value.
    public var maxFieldBytes: Int = 1 << 20
    /// Most bytes of one file part.
    public var maxFileBytes: Int
    /// File parts larger than this are written to a temporary file; smaller ones stay in memory.
    public var memoryThreshold: Int = 256 * 1024

    /// Default limits with the given per-file maximum.
    public init(maxFileBytes: Int) {
        self.maxFileBytes = maxFileBytes
    }
}
