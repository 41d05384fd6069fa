import HTTPWire
import Synchronization
import OpenSSLTLS

/// `HeaderOption ssl` on an HTTPS listener: what Pound's `add_ssl_headers` tells
/// the backend about the client's TLS session. Made once per connection, when the
/// handshake completes, and set (replacing what the client sent) on each request.
enum SSLHeaders {
    /// `X-SSL-cipher`, and with `ClientCert 1-3` and a client certificate the
    /// certificate fields; the PEM is folded over continuation lines as Pound does.
    static func fields(_ info: TLSConnectionInfo, includeCertificate: Bool) -> [(name: String, value: String)] {
        guard includeCertificate, let cert = info.peerCertificate else { return cipherOnly(info) }
        var fields = cipherOnly(info)
        fields.append(("X-SSL-Subject", cert.subject))
        fields.append(("X-SSL-Issuer", cert.issuer))
        fields.append(("X-SSL-notBefore", cert.notBefore))
        fields.append(("X-SSL-notAfter", cert.notAfter))
        fields.append(("X-SSL-serial", String(cert.poundSerial)))
        let lines = cert.pem.split(separator: "\n", omittingEmptySubsequences: true)
        fields.append(("X-SSL-certificate", lines.joined(separator: "\r\n\t")))
        return fields
    }

    /// Without a client certificate the headers depend on the protocol and cipher
    /// alone: connections share one copy instead of each holding its own.
    private static func cipherOnly(_ info: TLSConnectionInfo) -> [(name: String, value: String)] {
        guard !info.cipherDescription.isEmpty else { return [] }
        let key = CipherKey(protocolVersion: info.protocolVersion, cipherDescription: info.cipherDescription)
        if let fields = shared.withLock({ $0[key] }) { return fields }
        let fields = [(name: "X-SSL-cipher", value: info.protocolVersion + "/" + info.cipherDescription)]
        shared.withLock { $0[key] = fields }
        return fields
    }

    private struct CipherKey: Hashable {
        var protocolVersion: String
        var cipherDescription: String
    }

    private static let shared = Mutex<[CipherKey: [(name: String, value: String)]]>([:])

    static func apply(_ fields: [(name: String, value: String)], to headers: inout HTTPHeaders) {
        for field in fields { headers.replaceOrAppend(field.name, field.value) }
    }
}
