/// `AutoCert "name" ...` in a ListenHTTPS (a Pounce extension): one certificate for these
/// DNS names, obtained from an ACME CA and renewed by Pounce itself.
public struct AutoCertificate: Sendable, Hashable {
    public var names: [String]
    public var range: LocusRange
    /// How many `Cert` files were read before it: its place in the SNI order, where the
    /// first certificate of the listener is the default.
    public var position: Int

    public init(names: [String], range: LocusRange, position: Int) {
        self.names = names
        self.range = range
        self.position = position
    }

    /// The certificate's name in logs, metrics and the state directory: its first name.
    public var name: String { names.first ?? "" }

    /// A DNS name (labels of letters, digits and inner hyphens, 1 to 63 characters each),
    /// possibly after "*.": nothing that could reach OpenSSL's configuration syntax for
    /// subjectAltName (commas, colons) or name a path outside the state directory ("..").
    public static func isPlainName(_ name: String) -> Bool {
        var body = Substring(name)
        if body.hasPrefix("*.") { body = body.dropFirst(2) }
        guard !body.isEmpty, body.count <= 253 else { return false }
        return body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            label.count >= 1 && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// The ACME statements of a ListenHTTPS beside `AutoCert`: which CA, how it is trusted,
/// the account's contact, where the state is kept, and how names are proven.
public struct ACMESettings: Sendable, Hashable {
    public static let letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"
    public static let letsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"
    public static let defaultStateDirectory = "/var/lib/pounce/acme"

    /// `CertificateAuthority "URL"`: the CA's directory.
    public var directoryURL = letsEncrypt
    /// `CertificateAuthorityTrust "file"`: the CAs that vouch for the CA's own HTTPS
    /// server (nil: the system's store).
    public var trustFile: String?
    /// `Contact "mailto:..."`.
    public var contact: [String] = []
    /// `StateDirectory "dir"`.
    public var stateDirectory = defaultStateDirectory
    /// `Challenge "tls-alpn-01"|"http-01"`.
    public var challenge: ACMEChallengeType = .tlsALPN01
    /// Where `Challenge` was given (diagnostics).
    public var challengeRange: LocusRange?

    public init() {}

    /// The folder http-01 tokens are written to and every ListenHTTP serves them from.
    public var challengeDirectory: String { stateDirectory + "/challenges" }
}

public enum ACMEChallengeType: String, Sendable, Hashable, CaseIterable {
    /// RFC 8737: answered in the TLS handshake of the HTTPS listener itself.
    case tlsALPN01 = "tls-alpn-01"
    /// RFC 8555 §8.3: a file under /.well-known/acme-challenge/ on port 80.
    case http01 = "http-01"
}
