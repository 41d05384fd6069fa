#if canImport(Glibc)
import Glibc
#endif
import PoundConfig

/// `%t` and `%{FORMAT}t` text, remembered per thread for the current second.
///
/// Formatting local time costs a `localtime_r` (which takes glibc's timezone lock) and a
/// `strftime`; a busy proxy logs many requests per second, so each thread keeps the text
/// of the last second it formatted, per format. Thread-local storage instead of a shared
/// cache: no lock on the per-request path.
final class LogTimeCache {
    private var commonSecond = Int.min
    private var commonText: [UInt8] = []
    private var custom: [String: (second: Int, text: [UInt8])] = [:]

    /// Appends `time` rendered with `format` (local time, as Pound's `localtime_r` calls).
    static func append(_ format: LogFormatSegment.TimeFormat, time: timespec, to out: inout [UInt8]) {
        let sec = UInt64(max(Int64(time.tv_sec), 0))
        let nsec = UInt64(max(Int64(time.tv_nsec), 0))
        switch format {
        case .common:
            current.appendCommon(Int(time.tv_sec), to: &out)
        case .strftime(let f):
            current.appendCustom(f, second: Int(time.tv_sec), to: &out)
        case .epochSeconds:
            Digits.append(sec, to: &out)
        case .epochMilliseconds:
            Digits.append(sec * 1000 + nsec / 1_000_000, to: &out)
        case .epochMicroseconds:
            Digits.append(sec * 1_000_000 + nsec / 1000, to: &out)
        case .millisecondFraction:
            Digits.append(nsec / 1_000_000, width: 3, to: &out)
        case .microsecondFraction:
            Digits.append(nsec / 1000, width: 6, to: &out)
        }
    }

    /// `[%d/%b/%Y:%H:%M:%S %z]`, built by hand in the C locale (month names are English
    /// whatever the environment's locale, as in Pound, which never calls setlocale).
    private func appendCommon(_ second: Int, to out: inout [UInt8]) {
        if second != commonSecond {
            commonText = Self.common(second)
            commonSecond = second
        }
        out.append(contentsOf: commonText)
    }

    private func appendCustom(_ format: String, second: Int, to out: inout [UInt8]) {
        if let hit = custom[format], hit.second == second {
            out.append(contentsOf: hit.text)
            return
        }
        let text = Self.strftime(format, second)
        if custom.count > 16 { custom.removeAll(keepingCapacity: true) }
        custom[format] = (second, text)
        out.append(contentsOf: text)
    }

    static func localTime(_ second: Int) -> tm {
        var t = time_t(second)
        var result = tm()
        localtime_r(&t, &result)
        return result
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    static func common(_ second: Int) -> [UInt8] {
        let t = localTime(second)
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(28)
        func two(_ v: Int32) { Digits.append(UInt64(max(v, 0)), width: 2, to: &out) }
        two(t.tm_mday)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: months[Int(min(max(t.tm_mon, 0), 11))])
        out.append(UInt8(ascii: "/"))
        Digits.append(UInt64(max(Int(t.tm_year) + 1900, 0)), width: 4, to: &out)
        for v in [t.tm_hour, t.tm_min, t.tm_sec] {
            out.append(UInt8(ascii: ":"))
            two(v)
        }
        out.append(UInt8(ascii: " "))
        let offset = t.tm_gmtoff
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = abs(offset) / 60
        Digits.append(UInt64(minutes / 60), width: 2, to: &out)
        Digits.append(UInt64(minutes % 60), width: 2, to: &out)
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// strftime(3) into a growing buffer. Pound grows its buffer while strftime returns
    /// 0, which never ends for a format whose output is empty; stop at 64 KiB instead.
    static func strftime(_ format: String, _ second: Int) -> [UInt8] {
        var t = localTime(second)
        var size = 128
        while size <= 65536 {
            var buf = [UInt8](repeating: 0, count: size)
            let n = buf.withUnsafeMutableBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) {
                    Glibc.strftime($0, size, format, &t)
                }
            }
            if n > 0 { return Array(buf[..<n]) }
            size *= 4
        }
        return []
    }

    private static var current: LogTimeCache {
        if let p = pthread_getspecific(key) {
            return Unmanaged<LogTimeCache>.fromOpaque(p).takeUnretainedValue()
        }
        let cache = LogTimeCache()
        pthread_setspecific(key, Unmanaged.passRetained(cache).toOpaque())
        return cache
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { p in
            if let p { Unmanaged<LogTimeCache>.fromOpaque(p).release() }
        }
        return key
    }()
}
