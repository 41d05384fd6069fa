#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stdout/stderr. `print` is block-buffered when redirected and
/// loses lines if the process is killed, and C's `stdout` global is not usable from
/// Swift 6 code; write(2) has neither problem.
public enum Console {
    public static func out(_ text: String) { write(1, text) }
    public static func err(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
