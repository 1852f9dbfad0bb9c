import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` figures of Prometheus' client libraries, read from /proc at scrape time.
struct ProcessMetrics {
    var residentBytes: Double?
    var virtualBytes: Double?
    var cpuSeconds: Double?
    var startTimeSeconds: Double?
    var openFileDescriptors: Double?
    var maxFileDescriptors: Double?

    static func read() -> ProcessMetrics {
        var m = ProcessMetrics()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so fields are
        // counted from the last ')'. After it, field N of proc(5) is at index N − 3.
        if let stat = readSmallFile("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
            if let user = field(14), let system = field(15), ticks > 0 { m.cpuSeconds = (user + system) / ticks }
            m.virtualBytes = field(23)
            m.residentBytes = field(24).map { $0 * pageSize }
            if let started = field(22), ticks > 0, let boot = bootTime() { m.startTimeSeconds = boot + started / ticks }
        }
        m.openFileDescriptors = (try? FileTree.names("/proc/self/fd")).map { Double($0.count) }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { m.maxFileDescriptors = Double(limit.rlim_cur) }
        return m
    }

    func render(into out: inout MetricsText) {
        let families: [(String, MetricsText.Kind, String, Double?)] = [
            ("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.", cpuSeconds),
            ("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", residentBytes),
            ("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", virtualBytes),
            ("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.", startTimeSeconds),
            ("process_open_fds", .gauge, "Number of open file descriptors.", openFileDescriptors),
            ("process_max_fds", .gauge, "Maximum number of open file descriptors.", maxFileDescriptors),
        ]
        for (name, kind, help, value) in families {
            guard let value else { continue }
            out.single(name, kind, help, [], value)
        }
    }

    /// The kernel's boot time (`btime` of /proc/stat), seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let text = readSmallFile("/proc/stat", limit: 1 << 20) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6))
        }
        return nil
    }

    private static func readSmallFile(_ path: String, limit: Int = 4096) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, limit - total) }
            if n <= 0 { break }
            total += n
        }
        return String(decoding: bytes[0..<total], as: UTF8.self)
    }
}
