import XCTest
import Foundation
import TestSupport

/// The built `tsuna` runs without a Swift toolchain: the Swift runtime, Dispatch and FoundationEssentials
/// are linked in (Package.swift: `-static-stdlib` on the executable), and it loads nothing but system
/// libraries. Full Foundation would bring ICU back; libcurl is opened with dlopen at the first SMTP mail.
final class PortableBinaryTests: XCTestCase {
    /// Libraries that come from the toolchain, not from the system.
    static let toolchainPrefixes = ["libswift", "libFoundation", "lib_Foundation", "libicu", "libdispatch",
                                    "libBlocksRuntime", "libXCTest", "libTesting"]
    /// Folders the dynamic loader searches by default on Debian (and other distributions).
    static let systemFolders = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/"]

    /// The binary checked: the built `tsuna` next to the test bundle, or TSUNA_PORTABLE_BINARY (to check a
    /// release build: `TSUNA_PORTABLE_BINARY=.build/release/tsuna swift test --skip-build --filter Portable`).
    static var binaryPath: String {
        ProcessInfo.processInfo.environment["TSUNA_PORTABLE_BINARY"] ?? TestServer.binaryPath
    }

    func testDependsOnSystemLibrariesOnly() throws {
        if ProcessInfo.processInfo.environment["TSUNA_SHARED_RUNTIME"] != nil {
            throw XCTSkip("TSUNA_SHARED_RUNTIME is set: this build links the shared runtime on purpose (sanitizers)")
        }
        let problems = try Self.problems(binary: Self.binaryPath)
        XCTAssertTrue(problems.isEmpty, "\(Self.binaryPath) is not portable:\n" + problems.joined(separator: "\n"))
    }

    /// What keeps `binary` from running on a machine without the Swift toolchain, one line each.
    static func problems(binary path: String) throws -> [String] {
        var problems: [String] = []
        let elf = try ELFDynamicSection(path: path)

        let fromToolchain = elf.needed.filter { name in toolchainPrefixes.contains { name.hasPrefix($0) } }
        if !fromToolchain.isEmpty {
            problems.append("needs toolchain libraries \(fromToolchain.joined(separator: ", ")) (something it links "
                            + "imports full Foundation, or -static-stdlib is gone from Package.swift)")
        }
        if elf.needed.contains(where: { $0.hasPrefix("libcurl") }) {
            problems.append("links libcurl, which must be opened with dlopen at the first SMTP mail")
        }
        let outside = (elf.runpath + elf.rpath).filter { !$0.hasPrefix("$ORIGIN") }
        if !outside.isEmpty {
            problems.append("has RUNPATH/RPATH entries outside its own folder: \(outside.joined(separator: ":"))")
        }

        // Where the loader finds each library, with no LD_LIBRARY_PATH to help.
        let (status, output) = try run("/usr/bin/ldd", [path])
        guard status == 0 else { return problems + ["ldd failed (\(status)): \(output)"] }
        var resolved: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 3, parts[1] == "=>" { resolved[String(parts[0])] = String(parts[2]) }
        }
        for name in elf.needed where !name.hasPrefix("ld-linux") {
            guard let location = resolved[name], location != "not" else {
                problems.append("\(name) is not found by the dynamic loader")
                continue
            }
            if !systemFolders.contains(where: { location.hasPrefix($0) }) {
                problems.append("\(name) is loaded from \(location), outside the system folders")
            }
        }
        if !problems.isEmpty { problems.append("ldd says:\n" + output) }
        return problems
    }

    /// It starts with a bare environment (no LD_LIBRARY_PATH) and prints its version, commit and build date.
    func testVersionRunsWithBareEnvironment() throws {
        let (status, output) = try Self.run(Self.binaryPath, ["version"], environment: ["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasPrefix("tsuna "), output)
        XCTAssertTrue(output.contains("commit "), output)
        XCTAssertTrue(output.contains("built "), output)
    }

    private static func run(_ executable: String, _ arguments: [String],
                            environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws -> (Int32, String) {
        try runTool(executable, arguments, environment: environment)
    }
}

/// DT_NEEDED, DT_RUNPATH and DT_RPATH of a 64-bit little-endian ELF file, read without any tool.
struct ELFDynamicSection {
    var needed: [String] = []
    var runpath: [String] = []
    var rpath: [String] = []

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 64, bytes[0..<4] == [0x7f, 0x45, 0x4c, 0x46] else { throw Malformed(description: "\(path): not ELF") }
        guard bytes[4] == 2, bytes[5] == 1 else { throw Malformed(description: "\(path): not 64-bit little-endian ELF") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        func int(_ at: Int) -> Int { Int(truncatingIfNeeded: u64(at)) }

        let phoff = int(0x20), phentsize = u16(0x36), phnum = u16(0x38)
        var loads: [(vaddr: UInt64, offset: Int, size: Int)] = []
        var dynamic: (offset: Int, size: Int)?
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            let type = UInt32(truncatingIfNeeded: u64(p))
            if type == 1 { loads.append((u64(p + 0x10), int(p + 0x08), int(p + 0x20))) }   // PT_LOAD
            if type == 2 { dynamic = (int(p + 0x08), int(p + 0x20)) }                      // PT_DYNAMIC
        }
        guard let dynamic else { throw Malformed(description: "\(path): no dynamic section (a static executable?)") }

        var entries: [(tag: UInt64, value: UInt64)] = []
        var strtab: UInt64?
        var at = dynamic.offset
        while at + 16 <= min(dynamic.offset + dynamic.size, bytes.count) {
            let tag = u64(at), value = u64(at + 8)
            if tag == 0 { break }                 // DT_NULL
            if tag == 5 { strtab = value }        // DT_STRTAB (an address)
            entries.append((tag, value))
            at += 16
        }
        guard let strtab,
              let segment = loads.first(where: { strtab >= $0.vaddr && strtab < $0.vaddr + UInt64($0.size) })
        else { throw Malformed(description: "\(path): no string table for the dynamic section") }
        let table = segment.offset + Int(strtab - segment.vaddr)
        func string(_ offset: UInt64) -> String {
            let start = table + Int(offset)
            let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        for entry in entries {
            switch entry.tag {
            case 1: needed.append(string(entry.value))                                           // DT_NEEDED
            case 15: rpath += string(entry.value).split(separator: ":").map(String.init)         // DT_RPATH
            case 29: runpath += string(entry.value).split(separator: ":").map(String.init)       // DT_RUNPATH
            default: break
            }
        }
    }
}
