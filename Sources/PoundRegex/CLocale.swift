#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs glibc regex calls under the "C" locale.
///
/// Pound never calls `setlocale`, so its POSIX regexes always see bytes:
/// `.` is one byte and `REG_ICASE` folds ASCII only. glibc's regex code
/// consults the calling thread's locale both in `regcomp` and in `regexec`
/// (multibyte decoding, `\w`, case folding), so if anything in this
/// process ever switches to a UTF-8 locale, results would silently diverge
/// from Pound's. `uselocale` is per-thread and only swaps a TLS pointer, so
/// this is cheap and leaves other threads alone.
enum CLocale {
    // Only LC_CTYPE (character classes, case, multibyte) and LC_COLLATE
    // (bracket ranges) reach the regex code; with a nil base, newlocale
    // fills every other category from "C" as well. The object is never
    // modified after creation, so sharing it between threads is safe; the
    // compiler just can't know that about a C pointer.
    nonisolated(unsafe) private static let handle = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C", nil)

    static func run<R>(_ body: () -> R) -> R {
        guard let handle else { return body() }
        let previous = uselocale(handle)
        defer { uselocale(previous) }
        return body()
    }
}
