import COpenSSL
import PoundConfig
import Synchronization

/// The OpenSSL side of one HTTPS backend (`HTTPS`, `Cert`, `Ciphers`, `Disable`,
/// `ServerName`), built once at start-up and shared by every connection to it, on
/// every event loop.
///
/// Like Pound, the backend's certificate is not verified. Unlike Pound (which opens
/// each backend connection with a full handshake), the last session the backend
/// handed out is kept and offered on the next connection, so reconnecting resumes.
///
/// `@unchecked Sendable`: the `SSL_CTX` is configured in `init` and only used for
/// `SSL_new` afterwards (which OpenSSL allows concurrently); the cached session is
/// behind a mutex, touched once per connection.
public final class TLSClientContext: @unchecked Sendable {
    private let ctx: OpaquePointer
    /// `ServerName`, NUL-terminated, sent as SNI.
    private let serverNameBytes: [CChar]?
    /// The newest resumable session from this backend (one reference owned here).
    private let session = Mutex<CachedSession?>(nil)

    /// `ServerName`: the SNI sent to the backend.
    public let serverName: String?
    /// The lowest protocol version offered, as OpenSSL numbers it (`TLS1_2_VERSION`...).
    public let minimumProtocolVersion: Int32

    /// - Parameters:
    ///   - settings: the backend's `HTTPS` block.
    ///   - serverName: `ServerName`, sent as SNI.
    ///   - range: where errors without a place of their own are reported (the backend).
    public init(settings: Backend.TLSSettings, serverName: String?, range: LocusRange? = nil) throws(TLSContextError) {
        // Errors left on this thread's queue by earlier, unrelated calls would be
        // reported as ours.
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw .openSSL("SSL_CTX_new")
        }
        let floor = ContextSetup.protocolFloor(tls12Disabled: settings.disabledUpTo == .tlsv1_2)
        do throws(TLSContextError) {
            try Self.apply(settings, minimumVersion: floor, range: range, to: ctx)
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        self.ctx = ctx
        self.serverName = serverName
        self.serverNameBytes = serverName.map { Array($0.utf8CString) }
        self.minimumProtocolVersion = floor

        // Sessions reach us through the new-session callback: with TLS 1.3 the ticket
        // comes after the handshake, so the session at handshake time is not yet
        // resumable. OpenSSL's internal client store is not used (it is never looked
        // up on the client side anyway).
        _ = SSL_CTX_set_ex_data(ctx, 0, Unmanaged.passUnretained(self).toOpaque())
        _ = pounce_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
        SSL_CTX_sess_set_new_cb(ctx) { ssl, newSession in
            guard let ssl, let newSession, let ctx = SSL_get_SSL_CTX(ssl),
                  let owner = SSL_CTX_get_ex_data(ctx, 0) else { return 0 }
            Unmanaged<TLSClientContext>.fromOpaque(owner).takeUnretainedValue().keep(newSession)
            return 1
        }
    }

    deinit {
        forgetSession()
        SSL_CTX_free(ctx)
    }

    /// A new client-side `SSL` with SNI set and the cached session offered (nil only
    /// when out of memory).
    func makeSSL() -> OpaquePointer? {
        guard let ssl = SSL_new(ctx) else { return nil }
        if let serverNameBytes {
            _ = serverNameBytes.withUnsafeBufferPointer { pounce_SSL_set_tlsext_host_name(ssl, $0.baseAddress) }
        }
        // Under the lock: another loop may replace (and free) the cached session.
        session.withLock { cached in
            if let cached { _ = SSL_set_session(ssl, cached.pointer) }
        }
        return ssl
    }

    /// Whether a session is cached for the next connection to resume.
    public var hasCachedSession: Bool {
        session.withLock { $0 != nil }
    }

    /// Forgets the cached session: the next connection makes a full handshake.
    public func forgetSession() {
        let old = session.withLock { cached -> CachedSession? in
            defer { cached = nil }
            return cached
        }
        if let old { SSL_SESSION_free(old.pointer) }
    }

    /// Takes over the reference the new-session callback hands us.
    private func keep(_ newSession: OpaquePointer) {
        let new = CachedSession(pointer: newSession)
        let old = session.withLock { cached -> CachedSession? in
            defer { cached = new }
            return cached
        }
        if let old { SSL_SESSION_free(old.pointer) }
    }

    // MARK: building the SSL_CTX

    /// Pound's backend defaults: SSL_OP_ALL and no compression; legacy (insecure)
    /// renegotiation and legacy server connect off; no verification of the backend.
    /// Pound also sets SSL_MODE_SEND_FALLBACK_SCSV, which only belongs on a retry with
    /// a lowered maximum version: sent on a first attempt, it makes a backend whose
    /// versions go higher than a capped client's (by the system OpenSSL configuration)
    /// refuse the handshake, so it is left out.
    private static func apply(_ settings: Backend.TLSSettings, minimumVersion: Int32, range: LocusRange?,
                              to ctx: OpaquePointer) throws(TLSContextError) {
        try ContextSetup.setProtocolFloor(minimumVersion, on: ctx)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        SSL_CTX_clear_options(ctx, pounce_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION() | pounce_SSL_OP_LEGACY_SERVER_CONNECT())
        SSL_CTX_set_options(ctx, pounce_SSL_OP_ALL() | pounce_SSL_OP_NO_COMPRESSION())
        ContextSetup.setHandlerModes(on: ctx)
        _ = pounce_SSL_CTX_set_dh_auto(ctx, 1)
        if let file = settings.certificateFile {
            // Pound words the key check differently for backends.
            try ContextSetup.loadCertificate(path: file, range: settings.certificateRange ?? range, into: ctx,
                                             checkOperation: "SSL_CTX_check_private_key failed")
        }
        try ContextSetup.setCiphers(list: settings.cipherList, suites: settings.cipherSuites, on: ctx, range: range)
    }
}

/// An `SSL_SESSION` reference: sessions are reference counted and immutable once
/// cached, so handing one between threads (under the context's mutex) is safe.
private struct CachedSession: @unchecked Sendable {
    let pointer: OpaquePointer
}
