import COpenSSL
import Glibc
import Synchronization

/// OCSP stapling (RFC 6066 §8, RFC 6960) for every served certificate that names a
/// responder: `attach` registers an SSL_CTX once its chain is loaded, a background thread
/// (`OCSPRefresher`) fetches and refreshes the answers, and the context's status callback
/// staples the current one in each handshake whose client asks.
///
/// Lifetime: the callback's argument is a number looked up in `StaplingRegistry`, never a
/// pointer to an object. A handshake still running on an SSL that holds the context when
/// `detach` runs (or one that read the callback just before) finds the number gone and
/// staples nothing; there is nothing it could reach that is freed, and nothing to leak.
/// The callback itself is a plain C function, so it stays installed until SSL_CTX_free.
public enum OCSPStapling {
    static let registry = StaplingRegistry()
    static let refresher = OCSPRefresher(registry: registry)

    private static let hook = Mutex<@Sendable (String) -> Void>({ message in
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    })

    /// Where stapling reports what it fetched and what failed, one line per event
    /// (`ocsp: NAME: stapling answer (good), next update ...`); default: standard error.
    public static var log: @Sendable (String) -> Void {
        get { hook.withLock { $0 } }
        set { hook.withLock { $0 = newValue } }
    }

    static func report(_ message: String) {
        let sink = log
        sink(message)
    }

    /// Staples `ctx`'s certificate's OCSP answer from now on, fetched and refreshed in the
    /// background; nothing happens when the certificate names no responder or the context
    /// has no issuer in its chain. Attaching a context again replaces its registration.
    public static func attach(_ ctx: OpaquePointer) {
        let context = UInt(bitPattern: Int(bitPattern: ctx))
        guard let leaf = SSL_CTX_get0_certificate(ctx), let issuer = pounce_SSL_CTX_get0_issuer(ctx),
              let query = OCSPQuery(certificate: leaf, issuer: issuer),
              let leafDER = der(leaf), let issuerDER = der(issuer) else {
            registry.detach(context: context)
            return
        }
        let name = CertificateText.commonNames(of: leaf).first ?? CertificateText.oneLine(X509_get_subject_name(leaf))
        let (argument, isNew) = registry.attach(context: context, key: leafDER + issuerDER, name: name, query: query)
        _ = pounce_SSL_CTX_set_tlsext_status_arg(ctx, UnsafeMutableRawPointer(bitPattern: argument))
        _ = pounce_SSL_CTX_set_tlsext_status_cb(ctx) { ssl, argument in
            // Event-loop threads, mid-handshake: one lookup under the lock, one copy.
            guard let ssl, pounce_SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp,
                  let staple = OCSPStapling.registry.staple(argument: UInt(bitPattern: argument), now: Double(time(nil)))
            else { return SSL_TLSEXT_ERR_NOACK }
            let handed = staple.withUnsafeBufferPointer { pounce_SSL_staple_ocsp(ssl, $0.baseAddress, $0.count) }
            return handed == 1 ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK
        }
        if isNew { refresher.poke() }
    }

    /// Forgets `ctx` (called before it is freed); its certificate's answers are no longer
    /// fetched once no context serves it.
    public static func detach(_ ctx: OpaquePointer) {
        registry.detach(context: UInt(bitPattern: Int(bitPattern: ctx)))
    }

    private static func der(_ x509: OpaquePointer) -> [UInt8]? {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(x509, &out)
        guard length > 0, let out else { return nil }
        defer { pounce_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
