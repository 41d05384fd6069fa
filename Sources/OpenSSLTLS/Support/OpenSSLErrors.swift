import COpenSSL

/// OpenSSL's per-thread error queue, read the way Pound reports it.
public enum OpenSSLErrors {
    /// Empties the queue and returns each entry as `ERR_error_string_n` formats it
    /// ("error:0A000126:SSL routines::unexpected eof while reading"), oldest first.
    public static func drain() -> [String] {
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            lines.append(describe(code))
        }
        return lines
    }

    /// The oldest queued error (what Pound logs), discarding the rest; nil when empty.
    public static func first() -> String? {
        let code = ERR_get_error()
        guard code != 0 else { return nil }
        ERR_clear_error()
        return describe(code)
    }

    /// Empties the queue before an `SSL_*` call, as `SSL_get_error` requires. Looking
    /// first is cheaper: OpenSSL 3 clears every slot of a queue that is nearly always
    /// empty already (about 800 instructions, twice per keep-alive request).
    @inline(__always)
    static func clear() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    static func describe(_ code: UInt) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buf in
            guard let base = buf.baseAddress else { return "error:\(code)" }
            ERR_error_string_n(code, base, buf.count)
            return String(cString: base)
        }
    }
}
