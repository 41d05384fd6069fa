import PoundConfig

/// Why a `ListenHTTPS` TLS setup could not be built, worded like Pound's
/// configuration errors ("FILE: OPERATION: OPENSSL-REASON").
public struct TLSContextError: Error, Sendable, CustomStringConvertible {
    /// The whole message, e.g. `/etc/pound/a.pem: SSL_CTX_use_PrivateKey_file:
    /// error:1E08010C:DECODER routines::unsupported`.
    public var message: String
    /// The file the error is about (certificate, CA, CRL file), when there is one.
    public var file: String?
    /// The `Cert` statement's place in the configuration, when the error is about one.
    public var range: LocusRange?
    /// Further entries of OpenSSL's error queue after the first one (Pound prints them
    /// as extra lines).
    public var moreReasons: [String]

    public init(message: String, file: String? = nil, range: LocusRange? = nil, moreReasons: [String] = []) {
        self.message = message
        self.file = file
        self.range = range
        self.moreReasons = moreReasons
    }

    public var description: String { message }

    /// An OpenSSL call failed: the message carries the first queued OpenSSL error.
    static func openSSL(_ operation: String, file: String? = nil, range: LocusRange? = nil) -> TLSContextError {
        var reasons = OpenSSLErrors.drain()
        let first = reasons.isEmpty ? "unknown error" : reasons.removeFirst()
        let prefix = file.map { "\($0): " } ?? ""
        return TLSContextError(message: prefix + operation + ": " + first, file: file, range: range,
                               moreReasons: reasons)
    }
}
