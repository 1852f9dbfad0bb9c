import Foundation
import XCTest

/// A small tmpfs mounted for one test: a real full disk (its size is the limit) and a real read-only file
/// system (remounted `ro`), which stop root as well as anyone (permission bits do not stop root).
/// Mounting needs root or CAP_SYS_ADMIN: without it the test is skipped, saying so.
final class ScratchMount {
    let path: String
    private var mounted = false

    init(at path: String, bytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let (status, output) = ScratchMount.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755", "tmpfs", path])
        guard status == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): \(output)") }
        mounted = true
    }

    /// Remounts read-only (every file on it must be closed for writing first, or the kernel refuses).
    func remountReadOnly() throws { try remount("ro") }

    /// Remounts read-write.
    func remountReadWrite() throws { try remount("rw") }

    /// Unmounts (lazily, so a file a failed test left open cannot keep it).
    func unmount() {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        do { try process.run() } catch { return (-1, "\(error)") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
