// swift-tools-version:6.0
// Tsuna: one self-contained binary on SQLite. No package dependencies: system C libraries only.
import PackageDescription

// TSUNA_SHARED_RUNTIME=1 links tsuna with the toolchain's shared Swift runtime instead: for sanitizer builds
// (ThreadSanitizer's allocator and the statically linked FoundationEssentials do not agree), never for shipping.
let portableLink: [LinkerSetting] = Context.environment["TSUNA_SHARED_RUNTIME"] == nil
    ? [.unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims", "-use-ld=lld"])]
    : []

let package = Package(
    name: "tsuna",
    products: [
        .executable(name: "tsuna", targets: ["tsuna"]),
    ],
    targets: [
        // System C libraries (Debian package in parentheses).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libcurl is not linked: Mail loads it with dlopen on the first message (see Sources/CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Linux headers Glibc's module leaves out (epoll, eventfd, sendfile, accept4, pthread_setname_np).
        .systemLibrary(name: "CLinux"),

        // Generic layers: they know nothing of Tsuna's domain.
        // What full Foundation gave that FoundationEssentials lacks (threads, a condition variable,
        // printf-style numbers, unbuffered stderr, path and whitespace helpers), on Glibc: full Foundation
        // would link ICU (tens of MB).
        .target(name: "Platform", dependencies: ["CLinux"]),
        .target(name: "JSON"),
        .target(name: "HTTP", dependencies: ["CLinux", "Platform"]),
        .target(name: "Store", dependencies: ["CSQLite", "Platform"]),
        .target(name: "WriteBehind", dependencies: ["Store", "Platform"]),
        .target(name: "Security", dependencies: ["JSON", "CCrypto", "Platform"]),
        .target(name: "Mail", dependencies: ["Store", "CCurl", "Platform"]),
        .target(name: "Jobs", dependencies: ["Platform"]),
        .target(name: "Archive"),
        // The git commit and build time `tsuna version` prints, generated at every build by the plugin.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        .target(name: "BuildInfo", plugins: ["BuildInfoPlugin"]),

        // The application: one folder per feature.
        .target(name: "Tsuna",
                dependencies: ["HTTP", "JSON", "Store", "WriteBehind", "Security", "Mail", "Jobs", "Archive", "BuildInfo", "Platform"]),
        // The thin executable, with the Swift runtime, Dispatch and FoundationEssentials linked in
        // (`-static-stdlib`), so it runs where no Swift toolchain is installed: it loads only libc, libm,
        // libstdc++, libgcc_s, libsqlite3 and libcrypto (libcurl is opened at the first SMTP mail).
        // A link flag on this target rather than `--static-swift-stdlib` on the command line: plain
        // `swift build`, debug or release, gives the portable binary, while the test bundles and the
        // benchmarks keep the shared runtime. Nothing it links may import full Foundation, which would
        // bring ICU (about 30 MB); PortableBinaryTests checks the result.
        // - FoundationEssentials' static archive does not name the two it depends on: they are listed.
        // - lld, shipped with the toolchain: gold warns at every link about the `mktemp` inside
        //   FoundationEssentials' atomic file writes (which Tsuna does not use); lld does not.
        .executableTarget(name: "tsuna", dependencies: ["Tsuna"],
                          linkerSettings: portableLink),
        // In-process benchmarks of the generic layers.
        .executableTarget(name: "WriteBehindBench", dependencies: ["WriteBehind", "Store"], path: "Tests/Benchmarks/WriteBehindBench"),
        .executableTarget(name: "StoreBench", dependencies: ["Store"], path: "Tests/Benchmarks/StoreBench"),

        // Test helpers: the real server as a child process, a raw HTTP client over a real socket.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Platform", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Platform", "TestSupport"]),
        .testTarget(name: "SecurityTests", dependencies: ["Security", "Platform"]),
        .testTarget(name: "WriteBehindTests", dependencies: ["WriteBehind", "Store", "Platform", "TestSupport"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "Store", "Platform"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Platform"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "TestSupport"]),
        .testTarget(name: "TsunaTests", dependencies: ["Tsuna", "Platform", "TestSupport"]),
    ]
)
