import Foundation
import XCTest

/// A small tmpfs mounted for one test: a real full disk (its size is the limit; `fill` uses what is
/// left) and a real read-only file system (remounted `ro`), which stop root as well as anyone
/// (permission bits do not stop root). Mounting needs root or CAP_SYS_ADMIN: without it the test is
/// skipped, saying so.
public final class ScratchMount {
    public let path: String
    private var mounted = false

    public init(at path: String, bytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let (status, output) = ScratchMount.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755", "tmpfs", path])
        guard status == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): \(output)") }
        mounted = true
    }

    /// Remounts read-only (every file on it must be closed for writing first, or the kernel refuses).
    public func remountReadOnly() throws { try remount("ro") }

    /// Remounts read-write.
    public func remountReadWrite() throws { try remount("rw") }

    /// Fills the remaining space with `<path>/filler` (until ENOSPC); returns its path.
    @discardableResult
    public func fill() -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return filler }
        defer { close(fd) }
        let zeros = [UInt8](repeating: 0, count: 64 << 10)
        var size = zeros.count
        while size >= 512 {
            while zeros.withUnsafeBytes({ write(fd, $0.baseAddress, size) }) == size {}
            size /= 2
        }
        return filler
    }

    /// Frees what `fill` took.
    public func unfill() { unlink(path + "/filler") }

    /// Unmounts (lazily, so a file a failed test left open cannot keep it).
    public func unmount() {
        guard mounted else { return }
        _ = ScratchMount.run("/bin/umount", ["-l", path])
        mounted = false
    }

    deinit { unmount() }

    private func remount(_ mode: String) throws {
        let (status, output) = ScratchMount.run("/bin/mount", ["-o", "remount,\(mode)", path])
        guard status == 0 else { throw XCTSkip("cannot remount \(path) \(mode): \(output)") }
    }

    private static func run(_ tool: String, _ arguments: [String]) -> (Int32, String) {
        do { return try runTool(tool, arguments) } catch { return (-1, "\(error)") }
    }
}
