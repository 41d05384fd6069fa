import COpenSSL
import PoundConfig

/// A PKCS#10 certificate signing request (RFC 2986) for the names of an order, built and
/// signed by OpenSSL: the first name as the subject's CN, every name in subjectAltName.
public enum CertificateRequest {
    public static func der(names: [String], key: ECKey) throws(ECKey.Failure) -> [UInt8] {
        guard let first = names.first, names.allSatisfy(AutoCertificate.isPlainName) else {
            throw ECKey.Failure(description: "a certificate request needs DNS names")
        }
        let alt = names.map { "DNS:\($0)" }.joined(separator: ",")
        var der: UnsafeMutablePointer<UInt8>?
        let length = pounce_make_csr(key.pkey, first, alt, &der)
        guard length > 0, let der else { throw ECKey.Failure(description: "cannot make a certificate request") }
        defer { pounce_OPENSSL_free(der) }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }
}
