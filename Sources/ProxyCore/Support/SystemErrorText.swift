import NIOCore
import NIOPosix
import ProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// strerror(3) text for connection errors, as Pound appends to its log lines.
enum SystemErrorText {
    static func describe(_ error: Error) -> String {
        if let e = error as? IOError { return text(e.errnoCode) }
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return describe(first.error) }
            if let dns = e.dnsAAAAError ?? e.dnsAError { return "\(dns)" }
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return text(ETIMEDOUT) }
        return "\(error)"
    }

    static func text(_ code: Int32) -> String {
        ProcessSupportError.errorText(code)
    }
}
