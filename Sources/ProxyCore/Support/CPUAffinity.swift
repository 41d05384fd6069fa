import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// How many event loops to run: one per core the process may actually use. NIO's
/// `System.coreCount` honours cgroup limits but not the affinity mask, and a proxy
/// pinned with taskset to one core gains nothing from a second loop thread.
public enum CPUAffinity {
    public static func usableCores() -> Int {
        let cores = System.coreCount
        guard let allowed = allowedFromProc() else { return cores }
        return max(1, min(cores, allowed))
    }

    /// The `Cpus_allowed` mask of /proc/self/status (sched_getaffinity is not
    /// visible to Swift without _GNU_SOURCE).
    private static func allowedFromProc() -> Int? {
        guard let f = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("Cpus_allowed:") else { continue }
            let mask = text.dropFirst("Cpus_allowed:".count)
            return mask.reduce(0) { count, c in
                count + (c.hexDigitValue.map { $0.nonzeroBitCount } ?? 0)
            }
        }
        return nil
    }
}
