#if canImport(Glibc)
import Glibc
#endif

/// A failed process-level step, worded as Pound words it (`chroot: No such file or
/// directory`, `connect /x.sock: Connection refused`, ...). Pound reports these through
/// `abend`: the message at the object's configuration location when there is one, then
/// `pound terminated`, exit status 1. The caller does the reporting.
public struct ProcessSupportError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    /// The errno behind the failure, if any.
    public let code: Int32?

    public init(_ message: String, code: Int32? = nil) {
        self.message = message
        self.code = code
    }

    /// `what: strerror(errno)` for the current errno.
    static func system(_ what: String, _ code: Int32 = errno) -> ProcessSupportError {
        ProcessSupportError("\(what): \(errorText(code))", code: code)
    }

    public var description: String { message }

    /// strerror(3), through the thread-safe strerror_r.
    public static func errorText(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard strerror_r(code, &buf, buf.count) == 0 else { return "Unknown error \(code)" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
