import CLinux
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, caught from the moment a server starts. The handler only writes to an eventfd
/// (async-signal-safe), so no signal is lost however early it comes or whichever thread it hits. (Ignoring
/// the signals and waiting for a Dispatch signal source lost one sent in the window before the source was
/// registered: the server then never stopped.)
enum TerminationSignal {
    /// Made before the handler can run.
    private static let eventFd: Int32 = {
        let fd = eventfd(0, Int32(EFD_CLOEXEC))
        guard fd >= 0 else { fatalError("eventfd: \(String(cString: strerror(errno)))") }
        return fd
    }()

    private static let installed: Void = {
        _ = eventFd
        let handler: @convention(c) (Int32) -> Void = { _ in
            var one: UInt64 = 1
            _ = write(TerminationSignal.eventFd, &one, 8)
        }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
    }()

    /// Installs the handler (once per process).
    static func install() { _ = installed }

    /// Returns once SIGTERM or SIGINT has arrived (at any time since `install`).
    static func wait() async {
        install()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            OSThread.start(name: "tsuna-signals") {
                var count: UInt64 = 0
                while read(eventFd, &count, 8) < 0 && errno == EINTR {}
                done.resume()
            }
        }
    }
}
