#if canImport(Glibc)
import Glibc
#endif

/// The few file-system operations backup and restore need, on plain system calls: listing a folder without
/// following symbolic links, removing a tree, syncing, matching ownership.
enum FileTree {
    struct Item {
        /// Path relative to the walked root, `/`-separated.
        var relative: String
        var isDirectory: Bool
    }

    /// Error with the path and the system's reason.
    static func failure(_ what: String, _ path: String, _ code: Int32 = errno) -> StartupError {
        StartupError("cannot \(what) \(path): \(String(cString: strerror(code)))")
    }

    /// The names in `directory`, sorted (without "." and ".."); nil when it does not exist.
    static func names(_ directory: String) throws -> [String]? {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return nil }
            throw failure("list", directory)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Every folder and regular file under `root`, parents before children, in name order. Symbolic links
    /// and special files are left out (`skipped` gets their paths): nothing outside the tree is followed.
    static func walk(_ root: String, skipped: inout [String]) throws -> [Item] {
        var items: [Item] = []
        func visit(_ relative: String) throws {
            let directory = relative.isEmpty ? root : root + "/" + relative
            for name in try names(directory) ?? [] {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + child, &info) == 0 else {
                    if errno == ENOENT { continue }   // removed meanwhile
                    throw failure("read", root + "/" + child)
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    items.append(Item(relative: child, isDirectory: true))
                    try visit(child)
                case S_IFREG:
                    items.append(Item(relative: child, isDirectory: false))
                default:
                    skipped.append(child)
                }
            }
        }
        try visit("")
        return items
    }

    /// Removes `path` and everything under it, never following a symbolic link.
    static func remove(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw failure("remove", path)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in try names(path) ?? [] { try remove(path + "/" + name) }
            guard rmdir(path) == 0 else { throw failure("remove", path) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The folder part of a path ("." for a bare name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// When root runs the command on a folder owned by another user (the service's, e.g. systemd's
    /// DynamicUser), the files it creates there get that owner, so the service can still open them.
    static func giveToOwner(of folder: String, _ paths: [String]) {
        guard geteuid() == 0 else { return }
        var info = stat()
        guard stat(folder, &info) == 0, info.st_uid != 0 || info.st_gid != 0 else { return }
        for path in paths { _ = lchown(path, info.st_uid, info.st_gid) }
    }
}
