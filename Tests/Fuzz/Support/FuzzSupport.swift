// Shared by every libFuzzer harness (compiled into each one; see Tests/Fuzz/run).
#if canImport(Glibc)
import Glibc
#endif

/// Stops the process with a message; libFuzzer then saves the input as a crash reproducer.
func fuzzFail(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fputs("\nFUZZ CHECK FAILED (\(file):\(line)): \(message())\n", stderr)
    abort()
}

/// Fails the run when `condition` is false.
@inline(__always)
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fuzzFail(message(), file: file, line: line) }
}

/// The leading configuration bytes of an input, then the payload. Missing bytes read as 0, so every
/// input, however short, is usable.
struct FuzzInput {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    /// The next configuration byte (0 past the end).
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Everything not read as configuration.
    var rest: [UInt8] { position < bytes.count ? Array(bytes[position...]) : [] }
}

/// SplitMix64: a tiny deterministic generator, seeded from input bytes so that a reproducer replays
/// the same split points.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How a byte stream arrives, as a socket would deliver it: the sizes of successive reads.
/// `mode` picks the pattern: all at once, one byte at a time, small random reads, or any random reads.
func readSizes(total: Int, mode: UInt8, rng: inout SplitMix) -> [Int] {
    guard total > 0 else { return [] }
    var sizes: [Int] = []
    var left = total
    while left > 0 {
        let n: Int
        switch mode & 3 {
        case 0: n = left
        case 1: n = 1
        case 2: n = Int.random(in: 1...8, using: &rng)
        default: n = Int.random(in: 1...max(1, total / 2), using: &rng)
        }
        sizes.append(min(n, left))
        left -= min(n, left)
    }
    return sizes
}

/// Number of open file descriptors of this process (to catch descriptors left open).
func openDescriptorCount() -> Int {
    guard let dir = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(dir) }
    var count = 0
    while readdir(dir) != nil { count += 1 }
    return count
}

/// Names in `path` other than "." and "..".
func directoryEntries(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return ["<cannot open \(path)>"] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// Directories made by `makeTemporaryDirectory`, removed (when empty) at a normal exit.
nonisolated(unsafe) private var temporaryDirectories: [String] = []

/// A new private directory under $TMPDIR (or /tmp), removed at a normal exit if it is empty; a
/// directory left behind after a failed run shows what the run leaked.
func makeTemporaryDirectory(_ prefix: String) -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        fuzzFail("mkdtemp failed under \(base)")
    }
    let path = String(cString: made)
    if temporaryDirectories.isEmpty {
        atexit { for directory in temporaryDirectories { rmdir(directory) } }
    }
    temporaryDirectories.append(path)
    return path
}
