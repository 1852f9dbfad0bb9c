import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Time as the API and the database see it: microseconds since the Unix epoch, UTC.
enum Clock {
    static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    static func nowSeconds() -> Int64 { nowMicros() / 1_000_000 }

    /// RFC 3339 in UTC with microseconds and `Z`, e.g. `2026-11-24T17:51:00.123456Z`, without Foundation's
    /// formatters (this runs for every date of every response).
    static func rfc3339(_ micros: Int64) -> String {
        var out = [UInt8](repeating: 0, count: 27)
        write(micros, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ micros: Int64, into out: inout [UInt8]) {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = Int(micros - seconds * 1_000_000)
        var days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secOfDay = Int(seconds - days * 86400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        func put(_ v: Int, _ at: Int, _ width: Int) {
            var v = v
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, 0, 4); out[4] = UInt8(ascii: "-")
        put(month, 5, 2); out[7] = UInt8(ascii: "-")
        put(day, 8, 2); out[10] = UInt8(ascii: "T")
        put(secOfDay / 3600, 11, 2); out[13] = UInt8(ascii: ":")
        put(secOfDay / 60 % 60, 14, 2); out[16] = UInt8(ascii: ":")
        put(secOfDay % 60, 17, 2); out[19] = UInt8(ascii: ".")
        put(fraction, 20, 6); out[26] = UInt8(ascii: "Z")
    }
}
