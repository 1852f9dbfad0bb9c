#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header and log timestamps, formatted once per second.
final class WallClock {
    private var second: Int = -1
    private(set) var httpDate: [UInt8] = []
    private(set) var isoDate: String = ""

    func refresh() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        guard ts.tv_sec != second else { return }
        second = ts.tv_sec
        var t = ts.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
        httpDate = Array("Date: ".utf8) + buf[0..<n].map { UInt8(bitPattern: $0) } + [13, 10]
        let m = strftime(&buf, 64, "%Y-%m-%dT%H:%M:%SZ", &tmv)
        isoDate = String(decoding: buf[0..<m].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
