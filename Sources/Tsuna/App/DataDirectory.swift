import Foundation

/// The data folder: everything Tsuna keeps lives under it (SPEC section 12).
enum DataDirectory {
    /// Creates the folder and its subfolders; fails with a message naming the path.
    static func prepare(_ config: Configuration) throws {
        let fm = FileManager.default
        for dir in [config.dataDirectory, config.mediaDirectory, config.snapshotDirectory,
                    config.mailDirectory, config.temporaryDirectory] {
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw StartupError("cannot create \(dir): \(error.localizedDescription)")
            }
        }
        // Spilled request bodies from a previous run that died are garbage now.
        if let leftovers = try? fm.contentsOfDirectory(atPath: config.temporaryDirectory) {
            for name in leftovers { try? fm.removeItem(atPath: config.temporaryDirectory + "/" + name) }
        }
    }

    /// The signing secret: TSUNA_SECRET_KEY, else `<data>/secret.key`, created (mode 0600) on first start.
    static func secret(_ config: Configuration, random: ([UInt8]) -> Void = { _ in }) throws -> [UInt8] {
        if let key = config.secretKey { return Array(key.utf8) }
        let path = config.secretKeyPath
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.utf8.count >= 32 else { throw StartupError("\(path) is too short (need 32+ characters)") }
            return Array(text.utf8)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return try secret(config) }
            throw StartupError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let line = Array((hex + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == line.count else { throw StartupError("cannot write \(path)") }
        return Array(hex.utf8)
    }
}

/// A failure to start, reported on stderr with exit status 1.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
