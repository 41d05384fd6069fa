import COpenSSL
import PoundConfig

/// Where a listener's `AutoCert` certificates come from: the ACME manager that obtains
/// and renews them, and answers tls-alpn-01 through the listener.
public protocol AutomaticCertificates: AnyObject, Sendable {
    /// What to serve for `certificate` until something else is installed in its slot: the
    /// stored certificate, or a placeholder.
    func initialCertificate(for certificate: AutoCertificate, settings: ACMESettings) throws(TLSContextError)
        -> CertificatePEM
    /// Where tls-alpn-01 challenge certificates are published.
    var alpnChallenges: ALPNChallenges { get }
    /// From now on, new certificates for `certificate` are installed in `slot`.
    func serve(_ certificate: AutoCertificate, settings: ACMESettings, in slot: CertificateSlot)
    /// How each certificate stands.
    var statuses: [ManagedCertificateStatus] { get }
}

/// The OpenSSL side of one `ListenHTTPS` listener, built once from its `TLSSettings`
/// and shared by all its connections (and event loops): an `SSL_CTX` per `Cert`, and a
/// replaceable one per `AutoCert` (a `CertificateSlot`), the first in configuration
/// order being the default and the others picked by SNI.
///
/// Immutable after `init` but for the slots' contexts; OpenSSL allows concurrent `SSL_new`
/// on a configured `SSL_CTX` and locks its session cache itself, hence `@unchecked Sendable`.
public final class TLSServerContext: @unchecked Sendable {
    enum Entry {
        case file(OpaquePointer)
        case automatic(CertificateSlot)
    }

    /// One per certificate, in configuration order; `entries[0]` is the default.
    private let entries: [Entry]
    let serverNames: ServerNameTable
    /// Held for the client-hello callback of every context (tls-alpn-01).
    private let challenges: ALPNChallenges?
    private let ownerBox: OwnerBox

    /// `ClientCert` as applied (nil: not set, no certificate requested).
    public let clientCertificateMode: ClientCertificateMode?

    /// Per certificate (configuration order), the names SNI matches against: the
    /// subject's CNs, then the DNS subjectAltNames (an `AutoCert`'s names).
    public var certificateNames: [[String]] { serverNames.names }

    /// The lowest protocol version accepted, as OpenSSL numbers it (`TLS1_2_VERSION`...).
    public let minimumProtocolVersion: Int32

    /// Whether ALPN offers "h2" (the listener serves HTTP/2).
    public let offersHTTP2: Bool

    /// Each certificate's current context (tests adjust them; a slot's may be replaced).
    var contexts: [OpaquePointer] {
        entries.map { entry in
            switch entry {
            case .file(let ctx): ctx
            case .automatic(let slot): slot.withContext { $0 }
            }
        }
    }

    /// The `AutoCert` slots, in configuration order.
    public var slots: [CertificateSlot] {
        entries.compactMap { if case .automatic(let slot) = $0 { slot } else { nil } }
    }

    /// Loads every certificate and applies the listener's TLS statements to each
    /// context; `http2` makes ALPN prefer "h2" over "http/1.1". `automatic` provides the
    /// `AutoCert` certificates (required when there are any).
    public init(settings: TLSSettings, http2: Bool = false,
                automatic: AutomaticCertificates? = nil) throws(TLSContextError) {
        guard settings.hasCertificates else {
            throw TLSContextError(message: "Cert statement is missing")
        }
        if let first = settings.autoCertificates.first, automatic == nil {
            throw TLSContextError(message: "AutoCert \(first.name): no certificate manager", range: first.range)
        }
        // Errors left on this thread's queue by earlier, unrelated calls would be
        // reported as ours.
        ERR_clear_error()
        let floor = Self.protocolFloor(disabled: settings.disabledProtocols)
        let count = settings.certificates.count + settings.autoCertificates.count
        let challenges = settings.autoCertificates.isEmpty || settings.acme.challenge != .tlsALPN01
            ? nil : automatic?.alpnChallenges
        // Contexts made later (a renewal's) are set up as these: the SNI callback finds
        // its owner through this box, filled once `self` exists.
        let owner = OwnerBox()
        let configure: @Sendable (OpaquePointer) throws(TLSContextError) -> Void = { ctx throws(TLSContextError) in
            try Self.apply(settings, minimumVersion: floor, http2: http2, to: ctx)
            if count > 1 { Self.watchServerName(ctx, owner: owner) }
            challenges?.watch(ctx)
        }
        var built: [Entry] = []
        var names: [[String]] = []
        var pending = settings.autoCertificates[...]
        do throws(TLSContextError) {
            for index in 0...settings.certificates.count {
                while let auto = pending.first, auto.position <= index, let automatic {
                    pending.removeFirst()
                    let initial = try automatic.initialCertificate(for: auto, settings: settings.acme)
                    let slot = try CertificateSlot(names: auto.names, initial: initial) { pem throws(TLSContextError) in
                        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .openSSL("SSL_CTX_new") }
                        do throws(TLSContextError) {
                            try ContextSetup.loadCertificate(pem, into: ctx)
                            try configure(ctx)
                        } catch {
                            SSL_CTX_free(ctx)
                            throw error
                        }
                        OCSPStapling.attach(ctx)
                        return ctx
                    }
                    built.append(.automatic(slot))
                    names.append(auto.names)
                }
                guard index < settings.certificates.count else { break }
                let certificate = settings.certificates[index]
                guard let ctx = SSL_CTX_new(TLS_server_method()) else {
                    throw .openSSL("SSL_CTX_new")
                }
                built.append(.file(ctx))
                try ContextSetup.loadCertificate(path: certificate.path, range: certificate.range, into: ctx)
                names.append(try Self.serverNames(of: ctx, certificate: certificate))
                try configure(ctx)
                OCSPStapling.attach(ctx)
            }
        } catch {
            for case .file(let ctx) in built {
                OCSPStapling.detach(ctx)
                SSL_CTX_free(ctx)
            }
            throw error
        }
        entries = built
        ownerBox = owner
        serverNames = ServerNameTable(names: names)
        self.challenges = challenges
        clientCertificateMode = settings.clientCertificate
        minimumProtocolVersion = floor
        offersHTTP2 = http2
        owner.context = self
        for (auto, slot) in zip(settings.autoCertificates, slots) {
            automatic?.serve(auto, settings: settings.acme, in: slot)
        }
    }

    deinit {
        for case .file(let ctx) in entries {
            OCSPStapling.detach(ctx)
            SSL_CTX_free(ctx)
        }
    }

    /// A new server-side `SSL` on the default context (nil only when out of memory).
    func makeSSL() -> OpaquePointer? {
        switch entries[0] {
        case .file(let ctx): SSL_new(ctx)
        case .automatic(let slot): slot.withContext { SSL_new($0) }
        }
    }

    /// SNI: the connection moves to the context of the certificate its name matches.
    private static func watchServerName(_ ctx: OpaquePointer, owner: OwnerBox) {
        pounce_SSL_CTX_set_tlsext_servername_callback(ctx) { ssl, _, arg in
            guard let ssl, let arg,
                  let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else {
                return SSL_TLSEXT_ERR_NOACK
            }
            guard let owner = Unmanaged<OwnerBox>.fromOpaque(arg).takeUnretainedValue().context else {
                return SSL_TLSEXT_ERR_OK
            }
            if let index = owner.serverNames.index(for: name), index > 0 {
                switch owner.entries[index] {
                case .file(let ctx): SSL_set_SSL_CTX(ssl, ctx)
                case .automatic(let slot): slot.withContext { _ = SSL_set_SSL_CTX(ssl, $0) }
                }
            }
            return SSL_TLSEXT_ERR_OK
        }
        // The listener's context keeps the box (`ownerBox`), and handlers keep that context.
        pounce_SSL_CTX_set_tlsext_servername_arg(ctx, Unmanaged.passUnretained(owner).toOpaque())
    }

    /// Which certificate (index into `certificateNames`) a client asking for
    /// `serverName` gets; nil means the default one (index 0).
    public func certificateIndex(forServerName serverName: String) -> Int? {
        serverNames.index(for: serverName)
    }

    // MARK: building one SSL_CTX

    /// Mozilla's "intermediate" TLS 1.2 list: ECDHE/DHE with AES-GCM or ChaCha20.
    public static let defaultCipherList = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

    /// The lowest version `Disable` leaves (see `ContextSetup.protocolFloor`).
    static func protocolFloor(disabled: TLSProtocols) -> Int32 {
        ContextSetup.protocolFloor(tls12Disabled: disabled.contains(.tlsv1_2))
    }

    /// The names SNI matches: every subject CN, then the DNS subjectAltNames.
    /// Pound refuses a certificate without a CN; one with DNS subjectAltNames only
    /// (as some CAs now issue) is accepted here.
    private static func serverNames(of ctx: OpaquePointer, certificate: CertificateFile) throws(TLSContextError) -> [String] {
        guard let x509 = SSL_CTX_get0_certificate(ctx) else {
            throw TLSContextError(message: "\(certificate.path): could not get certificate subject",
                                  file: certificate.path, range: certificate.range)
        }
        let names = CertificateText.commonNames(of: x509) + CertificateText.dnsNames(of: x509)
        if names.isEmpty {
            throw TLSContextError(message: "\(certificate.path): no CN in certificate subject name",
                                  file: certificate.path, range: certificate.range)
        }
        return names
    }

    private static func apply(_ settings: TLSSettings, minimumVersion: Int32, http2: Bool, to ctx: OpaquePointer) throws(TLSContextError) {
        try ContextSetup.setProtocolFloor(minimumVersion, on: ctx)

        // Pound's listener defaults: SSL_OP_ALL and no compression on; legacy
        // (insecure) renegotiation and legacy server connect off.
        var enable = pounce_SSL_OP_ALL() | pounce_SSL_OP_NO_COMPRESSION()
        var disable = pounce_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION() | pounce_SSL_OP_LEGACY_SERVER_CONNECT()
            | pounce_SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS()
        switch settings.honorCipherOrder {
        case true?: enable |= pounce_SSL_OP_CIPHER_SERVER_PREFERENCE()
        case false?: disable |= pounce_SSL_OP_CIPHER_SERVER_PREFERENCE()
        case nil: break
        }
        // OpenSSL 3 servers refuse client-initiated renegotiation unless
        // SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set, which Pound 4.23 never does, so
        // there `SSLAllowClientRenegotiation 1|2` has no effect. Here it does what it says.
        switch settings.clientRenegotiation {
        case .refuse:
            enable |= pounce_SSL_OP_NO_RENEGOTIATION()
            disable |= pounce_SSL_OP_ALLOW_CLIENT_RENEGOTIATION()
        case .secureOnly:
            enable |= pounce_SSL_OP_ALLOW_CLIENT_RENEGOTIATION()
            disable |= pounce_SSL_OP_NO_RENEGOTIATION()
        case .allowUnsafe:
            enable |= pounce_SSL_OP_ALLOW_CLIENT_RENEGOTIATION() | pounce_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION()
            disable &= ~pounce_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION()
            disable |= pounce_SSL_OP_NO_RENEGOTIATION()
        }
        SSL_CTX_clear_options(ctx, disable)
        SSL_CTX_set_options(ctx, enable)

        ContextSetup.setHandlerModes(on: ctx)
        _ = pounce_SSL_CTX_set_dh_auto(ctx, 1)
        _ = pounce_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER))
        let sessionContext: [UInt8] = Array("pounce".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))

        // Without `Ciphers`, TLS 1.2 gets forward-secret AEAD suites only (TLS 1.3's
        // are all of that kind): OpenSSL's default list still has RSA key exchange
        // and CBC suites, which scanners flag.
        try ContextSetup.setCiphers(list: settings.cipherList ?? Self.defaultCipherList, suites: settings.cipherSuites,
                                    on: ctx)

        // ALPN, by the server's preference: "h2" when the listener serves HTTP/2 and
        // the client offers it, else "http/1.1"; with neither offered, no answer at
        // all (clients then assume HTTP/1.1). The callback cannot capture, so the
        // choice travels in its argument: non-nil means h2 is on.
        SSL_CTX_set_alpn_select_cb(ctx, { _, out, outLength, offered, offeredLength, arg in
            guard let out, let outLength, let offered else { return SSL_TLSEXT_ERR_NOACK }
            guard let choice = ALPN.select(offered: UnsafeBufferPointer(start: offered, count: Int(offeredLength)),
                                           http2: arg != nil) else { return SSL_TLSEXT_ERR_NOACK }
            out.pointee = UnsafePointer(offered + choice.lowerBound)
            outLength.pointee = UInt8(choice.count)
            return SSL_TLSEXT_ERR_OK
        }, http2 ? ALPN.http2Marker : nil)

        try applyClientCertificateSettings(settings, to: ctx)
    }

    /// `ClientCert`, `VerifyList`, `CAlist`, `CRLlist`.
    private static func applyClientCertificateSettings(_ settings: TLSSettings, to ctx: OpaquePointer) throws(TLSContextError) {
        switch settings.clientCertificate {
        case nil, .none?:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        case .optional(let depth)?:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nil)
            SSL_CTX_set_verify_depth(ctx, Int32(clamping: depth))
        case .required(let depth)?:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            SSL_CTX_set_verify_depth(ctx, Int32(clamping: depth))
        case .unverified(let depth)?:
            // Asked for, never checked: the certificate is only passed on (X-SSL-*).
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE) { _, _ in 1 }
            SSL_CTX_set_verify_depth(ctx, Int32(clamping: depth))
        }
        if let file = settings.verifyList, SSL_CTX_load_verify_locations(ctx, file, nil) != 1 {
            throw .openSSL("SSL_CTX_load_verify_locations", file: file)
        }
        if let file = settings.caList {
            // Each context owns (and frees) its list, so each loads its own copy.
            guard let names = SSL_load_client_CA_file(file) else {
                throw .openSSL("SSL_load_client_CA_file", file: file)
            }
            SSL_CTX_set_client_CA_list(ctx, names)
        }
        if let file = settings.crlList {
            guard let store = SSL_CTX_get_cert_store(ctx),
                  let lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file()) else {
                throw .openSSL("X509_STORE_add_lookup")
            }
            if X509_load_crl_file(lookup, file, X509_FILETYPE_PEM) != 1 {
                throw .openSSL("X509_load_crl_file failed", file: file)
            }
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
    }
}

/// ALPN protocol names this server speaks.
public enum ALPN {
    public static let http11 = "http/1.1"
    public static let http2 = "h2"

    /// The select callback's argument when h2 is on (any non-nil pointer will do).
    static var http2Marker: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 1) }

    /// The protocol to answer from a client's ALPN list (RFC 7301 wire format:
    /// length-prefixed names): "h2" first when `http2`, then "http/1.1"; the range
    /// of the chosen name within `offered`, or nil when none fits. A malformed list
    /// is read up to where it breaks.
    public static func select(offered: UnsafeBufferPointer<UInt8>, http2: Bool) -> Range<Int>? {
        var http11Range: Range<Int>?
        var i = 0
        while i < offered.count {
            let start = i + 1
            let end = start + Int(offered[i])
            guard end <= offered.count else { break }
            let name = UnsafeBufferPointer(rebasing: offered[start..<end])
            if http2, name.elementsEqual(http2Bytes) { return start..<end }
            if http11Range == nil, name.elementsEqual(http11Bytes) { http11Range = start..<end }
            i = end
        }
        return http11Range
    }

    private static let http11Bytes = Array(http11.utf8)
    private static let http2Bytes = Array(http2.utf8)
}

/// The context an SNI callback switches within, reached weakly: a renewal's context may
/// outlive the listener's (connections hold it), and then finds nobody to ask.
private final class OwnerBox: @unchecked Sendable {
    weak var context: TLSServerContext?
}
