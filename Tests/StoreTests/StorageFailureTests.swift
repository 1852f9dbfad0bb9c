import CSQLite
import Foundation
import XCTest
import TestSupport
@testable import Store

/// Storage failures are typed on StoreError, and a database that cannot be opened is named with its cause.
final class StorageFailureTests: XCTestCase {
    var dir: TemporaryDirectory!
    let migrations = [Migration(version: 1, name: "t", sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);")]

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir?.remove() }

    /// Asserts that `body` throws a StoreError whose message is exactly `message`, and returns it.
    @discardableResult
    func storeError(_ body: () throws -> Void, message: String, file: StaticString = #filePath,
                    line: UInt = #line) -> StoreError? {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let e as StoreError {
            XCTAssertEqual(e.message, message, file: file, line: line)
            return e
        } catch {
            XCTFail("not a StoreError: \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: - Opening, without special privileges

    func testADirectoryInTheDatabasesPlaceIsNamed() throws {
        let path = dir.file("tsuna.sqlite")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let e = storeError({ _ = try Store(path: path, migrations: migrations) },
                           message: "cannot open \(path): it is a directory, not a database file")
        XCTAssertEqual(e?.isCannotOpen, true)
        XCTAssertEqual(e?.isStorageUnavailable, true)
    }

    func testAMissingFolderIsNamed() {
        let path = dir.file("absent/tsuna.sqlite")
        let e = storeError({ _ = try Store(path: path, migrations: migrations) },
                           message: "cannot open \(path): the folder \(dir.file("absent")) does not exist")
        XCTAssertEqual(e?.isCannotOpen, true)
    }

    func testAFileThatIsNotADatabaseIsCorrupt() throws {
        let path = dir.file("tsuna.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let e = storeError({ _ = try Store(path: path, migrations: migrations) },
                           message: "cannot open \(path): the file is not an SQLite database (or it is encrypted)")
        XCTAssertEqual(e?.isCorrupt, true)
        XCTAssertEqual(e?.isStorageUnavailable, false, "retrying does not help a corrupt file")
    }

    func testWritingThroughAReadOnlyConnectionIsReadOnly() throws {
        let path = dir.file("tsuna.sqlite")
        Store.closeAfter(try Store(path: path, migrations: migrations))
        let reader = try Connection(path: path, readOnly: true)
        defer { reader.close() }
        do {
            try reader.run("INSERT INTO t(v) VALUES (1)")
            XCTFail("a read-only connection wrote")
        } catch let e as StoreError {
            XCTAssertTrue(e.isReadOnly && e.isStorageUnavailable, "\(e)")
            XCTAssertFalse(e.isDiskFull || e.isCorrupt || e.isConstraintViolation || e.isBusy)
        }
    }

    func testCodesClassify() {
        func error(_ code: Int32, errno: Int32? = nil) -> StoreError { StoreError(code: code, message: "", systemErrno: errno) }
        XCTAssertTrue(error(SQLITE_FULL).isDiskFull)
        XCTAssertTrue(error(SQLITE_IOERR | (3 << 8), errno: ENOSPC).isDiskFull, "a write failing with ENOSPC")
        XCTAssertTrue(error(SQLITE_IOERR | (3 << 8), errno: EIO).isIOError)
        XCTAssertFalse(error(SQLITE_IOERR | (3 << 8), errno: EIO).isDiskFull)
        XCTAssertTrue(error(SQLITE_READONLY | (3 << 8)).isReadOnly, "SQLITE_READONLY_ROLLBACK")
        XCTAssertTrue(error(SQLITE_CORRUPT | (1 << 8)).isCorrupt, "SQLITE_CORRUPT_VTAB")
        XCTAssertTrue(error(SQLITE_NOTADB).isCorrupt)
        for code in [SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN] {
            XCTAssertTrue(error(code).isStorageUnavailable, "\(code)")
        }
        for code in [SQLITE_BUSY, SQLITE_CONSTRAINT, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_MISUSE, -1] {
            XCTAssertFalse(error(code).isStorageUnavailable, "\(code)")
        }
        XCTAssertEqual(String(describing: error(SQLITE_FULL, errno: ENOSPC)),
                       "SQLite error 13:  [errno 28: No space left on device]")
    }

    // MARK: - A real read-only file system and a real full disk (a tmpfs: needs root)

    func testANewDatabaseInAReadOnlyFolderIsNamed() throws {
        let mount = try ScratchMount(at: dir.file("ro"), bytes: 1 << 20)
        defer { mount.unmount() }
        try mount.remountReadOnly()
        let path = mount.path + "/tsuna.sqlite"
        let e = storeError({ _ = try Store(path: path, migrations: migrations) },
                           message: "cannot open \(path): the folder \(mount.path) is not writable (read-only file system)")
        XCTAssertEqual(e?.isStorageUnavailable, true)
    }

    func testAnExistingDatabaseOnAReadOnlyFileSystemIsNamed() throws {
        let mount = try ScratchMount(at: dir.file("ro"), bytes: 1 << 20)
        defer { mount.unmount() }
        let path = mount.path + "/tsuna.sqlite"
        Store.closeAfter(try Store(path: path, migrations: migrations))
        try mount.remountReadOnly()
        let e = storeError({ _ = try Store(path: path, migrations: migrations) },
                           message: "cannot open \(path): the file is not writable (read-only file system)")
        XCTAssertEqual(e?.isReadOnly, true)
        XCTAssertEqual(e?.isStorageUnavailable, true)
        // Even reading needs the -shm file SQLite could not create: said as well.
        storeError({ _ = try Connection(path: path, readOnly: true) },
                   message: "cannot open \(path) for reading: the folder \(mount.path) is not writable "
                       + "(read-only file system), and reading a WAL database needs to create \(path)-shm")
    }

    func testAFullDiskIsDiskFull() throws {
        let mount = try ScratchMount(at: dir.file("full"), bytes: 512 << 10)
        defer { mount.unmount() }
        let store = try Store(path: mount.path + "/tsuna.sqlite", migrations: migrations)
        defer { store.close() }
        var failure: StoreError?
        for _ in 0..<100 where failure == nil {
            do {
                try store.writeSync { try $0.run("INSERT INTO t(v) VALUES (?)", [[UInt8](repeating: 7, count: 64 << 10)]) }
            } catch let e as StoreError {
                failure = e
            }
        }
        let e = try XCTUnwrap(failure, "512 KB filled without an error")
        XCTAssertTrue(e.isDiskFull && e.isStorageUnavailable, "\(e)")
        XCTAssertFalse(e.isCorrupt)
        // Reads keep working on a full disk.
        XCTAssertGreaterThan(try store.read { try $0.queryOne("SELECT count(*) FROM t") { $0.int(0) } ?? 0 }, 0)
    }
}

extension Store {
    /// Closes a store opened only to create its file.
    static func closeAfter(_ store: Store) { store.close() }
}
