import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Calendar fields of an instant in UTC, for the Date header and .eml file names (no DateFormatter).
struct UTCTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// 0 = Sunday.
    var weekday: Int

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The fields of `date`; a date outside years 1…9999 (or not finite) is clamped to the epoch.
    init(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        // -62135596800 is 0001-01-01, 253402300799 is 9999-12-31T23:59:59.
        var t = time_t(0)
        if seconds.isFinite, seconds >= -62_135_596_800, seconds < 253_402_300_800 {
            t = time_t(seconds.rounded(.down))
        }
        var parts = tm()
        gmtime_r(&t, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        weekday = Int(parts.tm_wday)
    }

    /// RFC 5322 date-time: "Tue, 05 Mar 2024 14:03:09 +0000".
    var rfc5322: String {
        "\(UTCTime.dayNames[weekday % 7]), \(pad(day, 2)) \(UTCTime.monthNames[(month - 1) % 12]) \(pad(year, 4)) "
            + "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)) +0000"
    }

    /// Compact sortable form for file names: "20240305T140309Z".
    var compact: String {
        "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))T\(pad(hour, 2))\(pad(minute, 2))\(pad(second, 2))Z"
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
