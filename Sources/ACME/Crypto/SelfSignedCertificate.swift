import COpenSSL
import PoundConfig

/// Certificates Pounce signs itself, through OpenSSL: the placeholder an `AutoCert`
/// listener serves until the CA's certificate arrives, and the tls-alpn-01 answer (RFC
/// 8737 §3): a certificate for the one name being validated, with the critical
/// id-pe-acmeIdentifier extension holding SHA-256 of the key authorization.
public enum SelfSignedCertificate {
    /// PEM of a certificate for `names` (the first also as CN), valid for `seconds` from now.
    public static func pem(names: [String], key: ECKey, seconds: Int = 7 * 86_400) throws(ECKey.Failure) -> String {
        try make(names: names, key: key, acmeIdentifier: nil, seconds: seconds)
    }

    /// The tls-alpn-01 certificate for `name`.
    public static func tlsALPN01(name: String, keyAuthorization: String, key: ECKey) throws(ECKey.Failure) -> String {
        try make(names: [name], key: key, acmeIdentifier: ECKey.sha256(Array(keyAuthorization.utf8)), seconds: 86_400)
    }

    private static func make(names: [String], key: ECKey, acmeIdentifier: [UInt8]?, seconds: Int) throws(ECKey.Failure) -> String {
        guard let first = names.first, names.allSatisfy(AutoCertificate.isPlainName) else {
            throw ECKey.Failure(description: "a certificate needs DNS names")
        }
        let alt = names.map { "DNS:\($0)" }.joined(separator: ",")
        var pem: UnsafeMutablePointer<CChar>?
        let length: Int32
        if let acmeIdentifier {
            length = acmeIdentifier.withUnsafeBufferPointer {
                pounce_make_self_signed(key.pkey, first, alt, $0.baseAddress, seconds, &pem)
            }
        } else {
            length = pounce_make_self_signed(key.pkey, first, alt, nil, seconds, &pem)
        }
        guard length > 0, let pem else { throw ECKey.Failure(description: "cannot make a certificate") }
        defer { pounce_OPENSSL_free(pem) }
        return String(decoding: UnsafeRawBufferPointer(start: pem, count: Int(length)), as: UTF8.self)
    }
}
