import COpenSSL
import Synchronization

/// A certificate and its key as PEM text (the chain leaf first).
public struct CertificatePEM: Sendable, Equatable {
    public var chain: String
    public var key: String

    public init(chain: String, key: String) {
        self.chain = chain
        self.key = key
    }
}

/// One `AutoCert` of a listener: the `SSL_CTX` serving it, replaced whole when a new
/// certificate arrives. Handshakes take the context under the lock and hold their own
/// reference to it (`SSL_new`, `SSL_set_SSL_CTX` count references), so a swap never
/// disturbs a connection: established ones keep the old context until they end, new ones
/// get the new certificate.
public final class CertificateSlot: @unchecked Sendable {
    /// The names SNI matches for this certificate (`AutoCert`'s).
    public let names: [String]
    /// Builds a context configured as the listener's others are.
    private let build: @Sendable (CertificatePEM) throws(TLSContextError) -> OpaquePointer
    private let current: Mutex<ContextReference>

    init(names: [String], initial: CertificatePEM,
         build: @escaping @Sendable (CertificatePEM) throws(TLSContextError) -> OpaquePointer) throws(TLSContextError) {
        self.names = names
        self.build = build
        current = Mutex(ContextReference(ctx: try build(initial)))
    }

    deinit {
        let ctx = current.withLock { $0.ctx }
        OCSPStapling.detach(ctx)
        SSL_CTX_free(ctx)
    }

    /// Serves `certificate` from the next handshake on; the old context is released (and
    /// freed by OpenSSL once its last connection ends).
    public func install(_ certificate: CertificatePEM) throws(TLSContextError) {
        let fresh = ContextReference(ctx: try build(certificate))
        let old = current.withLock { reference in
            let old = reference.ctx
            reference = fresh
            return ContextReference(ctx: old)
        }.ctx
        OCSPStapling.detach(old)
        SSL_CTX_free(old)
    }

    /// `body` with the current context, which stays alive while it runs.
    func withContext<R>(_ body: (OpaquePointer) -> R) -> R {
        current.withLock { body($0.ctx) }
    }
}
