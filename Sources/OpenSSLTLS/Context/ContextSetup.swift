import COpenSSL
import PoundConfig

/// `SSL_CTX` settings both sides share: listeners (`TLSServerContext`) and HTTPS
/// backends (`TLSClientContext`) load certificates, cipher strings and protocol
/// floors the same way, and `TLSHandler` needs the same modes from either.
enum ContextSetup {
    /// `Disable X` refuses X and everything older. TLS 1.2 is the floor regardless:
    /// Debian's OpenSSL configuration (which Pound also runs under) sets it, and older
    /// versions are broken.
    static func protocolFloor(tls12Disabled: Bool) -> Int32 {
        tls12Disabled ? TLS1_3_VERSION : TLS1_2_VERSION
    }

    static func setProtocolFloor(_ version: Int32, on ctx: OpaquePointer) throws(TLSContextError) {
        guard pounce_SSL_CTX_set_min_proto_version(ctx, version) == 1 else {
            throw .openSSL("SSL_CTX_set_min_proto_version")
        }
    }

    /// Pound's `Cert`: one PEM file with the certificate, its chain and the key.
    /// `checkOperation` is how Pound names the last step in its message (the listener
    /// and the backend word it differently).
    static func loadCertificate(path: String, range: LocusRange?, into ctx: OpaquePointer,
                                checkOperation: String = "SSL_CTX_check_private_key") throws(TLSContextError) {
        if SSL_CTX_use_certificate_chain_file(ctx, path) != 1 {
            throw .openSSL("SSL_CTX_use_certificate_chain_file", file: path, range: range)
        }
        if SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1 {
            throw .openSSL("SSL_CTX_use_PrivateKey_file", file: path, range: range)
        }
        if SSL_CTX_check_private_key(ctx) != 1 {
            throw .openSSL(checkOperation, file: path, range: range)
        }
    }

    /// A certificate chain and key held in memory (`AutoCert`'s, tls-alpn-01's): the first
    /// certificate is the leaf, the rest its chain.
    static func loadCertificate(_ pem: CertificatePEM, into ctx: OpaquePointer) throws(TLSContextError) {
        let chainBIO = MemoryBIO.copying(pem.chain)
        defer { BIO_free(chainBIO) }
        guard let chainBIO, let leaf = PEM_read_bio_X509(chainBIO, nil, nil, nil) else {
            throw .openSSL("PEM_read_bio_X509")
        }
        defer { X509_free(leaf) }
        guard SSL_CTX_use_certificate(ctx, leaf) == 1 else { throw .openSSL("SSL_CTX_use_certificate") }
        while let next = PEM_read_bio_X509(chainBIO, nil, nil, nil) {
            // add0: the context owns `next` from here (it is freed with the context).
            guard SSL_CTX_ctrl(ctx, SSL_CTRL_CHAIN_CERT, 0, UnsafeMutableRawPointer(next)) == 1 else {
                X509_free(next)
                throw .openSSL("SSL_CTX_add0_chain_cert")
            }
        }
        // The end of the chain leaves a "no start line" error queued.
        ERR_clear_error()
        let keyBIO = MemoryBIO.copying(pem.key)
        defer { BIO_free(keyBIO) }
        guard let keyBIO, let pkey = PEM_read_bio_PrivateKey(keyBIO, nil, nil, nil) else {
            throw .openSSL("PEM_read_bio_PrivateKey")
        }
        defer { EVP_PKEY_free(pkey) }
        guard SSL_CTX_use_PrivateKey(ctx, pkey) == 1 else { throw .openSSL("SSL_CTX_use_PrivateKey") }
        guard SSL_CTX_check_private_key(ctx) == 1 else { throw .openSSL("SSL_CTX_check_private_key") }
    }

    /// `Ciphers`: the TLS <= 1.2 list and the TLS 1.3 suites, refused in Pound's words.
    static func setCiphers(list: String?, suites: String?, on ctx: OpaquePointer,
                           range: LocusRange? = nil) throws(TLSContextError) {
        if let list, SSL_CTX_set_cipher_list(ctx, list) != 1 {
            ERR_clear_error()
            throw TLSContextError(message: "failed to set cipher list \(list)", range: range)
        }
        if let suites, SSL_CTX_set_ciphersuites(ctx, suites) != 1 {
            ERR_clear_error()
            throw TLSContextError(message: "failed to set ciphersuites \(suites)", range: range)
        }
    }

    /// What `TLSHandler` relies on. Moving buffer: a write retried after WANT_READ may
    /// come from another address. Release buffers: idle keep-alive connections then
    /// hold no 16 KiB record buffers (HAProxy does the same).
    static func setHandlerModes(on ctx: OpaquePointer) {
        _ = pounce_SSL_CTX_set_mode(ctx, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY
                                            | SSL_MODE_RELEASE_BUFFERS))
    }
}
