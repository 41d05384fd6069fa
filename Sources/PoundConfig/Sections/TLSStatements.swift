#if canImport(Glibc)
import Glibc
#endif

/// https_parsetab: the ListenHTTPS-only statements.
///
/// Certificates and CA/CRL files are checked for existence and readability only; the
/// OpenSSL loading (and OpenSSL's exact error texts for malformed files or cipher
/// strings) belongs to the TLS layer, which will re-validate them.
extension Listener {
    private typealias S = Statement<ListenerDraft>

    static func tlsStatements() -> [Statement<ListenerDraft>] {
        var list: [S] = []
        list.append(S("Cert") { p, d in try parseCert(p, &d.tls); return .ok })
        list.append(S("ClientCert") { p, d in
            try requireCert(p, d, "ClientCert")
            let mode = try p.int(in: 0, 3)
            let depth = mode > 0 ? try p.int() : 0
            switch mode {
            case 0: d.tls.clientCertificate = ClientCertificateMode.none
            case 1: d.tls.clientCertificate = .optional(depth: depth)
            case 2: d.tls.clientCertificate = .required(depth: depth)
            default: d.tls.clientCertificate = .unverified(depth: depth)
            }
            return .ok
        })
        list.append(S("Disable") { p, d in
            let tok = try p.expect(.identifier)
            let table: [(String, TLSProtocols)] = [
                ("SSLv2", [.sslv2]),
                ("SSLv3", [.sslv2, .sslv3]),
                ("TLSv1", [.sslv2, .sslv3, .tlsv1]),
                ("TLSv1_1", [.sslv2, .sslv3, .tlsv1, .tlsv1_1]),
                ("TLSv1_2", [.sslv2, .sslv3, .tlsv1, .tlsv1_1, .tlsv1_2]),
            ]
            d.tls.disabledProtocols.formUnion(try p.keyword(tok, in: table, what: "protocol name"))
            return .ok
        })
        list.append(S("Ciphers") { p, d in
            try requireCert(p, d, "Ciphers")
            let ciphers = try CipherStrings.parse(p)
            if let l = ciphers.cipherList { d.tls.cipherList = l }
            if let s = ciphers.cipherSuites { d.tls.cipherSuites = s }
            return .okNoNewline
        })
        list.append(S("SSLHonorCipherOrder") { p, d in d.tls.honorCipherOrder = try p.bool(); return .ok })
        list.append(S("SSLAllowClientRenegotiation") { p, d in
            d.tls.clientRenegotiation = ClientRenegotiation(rawValue: try p.int(in: 0, 2)) ?? .refuse
            return .ok
        })
        list.append(S("CAlist") { p, d in
            try requireCert(p, d, "CAList")
            let tok = try p.string()
            if case .failure(let e) = FileSystem.readFile(tok.text) {
                p.diagnostics.error("SSL_load_client_CA_file: \(opensslSystemError(e))", at: tok.range)
                throw p.fail("error:10080002:BIO routines::system lib", at: tok.range)
            }
            d.tls.caList = tok.text
            return .ok
        })
        list.append(S("VerifyList") { p, d in
            try requireCert(p, d, "VerifyList")
            let tok = try p.string()
            if case .failure(let e) = FileSystem.readFile(tok.text) {
                p.diagnostics.error("\(tok.text): SSL_CTX_load_verify_locations: \(opensslSystemError(e))", at: tok.range)
                if e.errno == ENOENT {
                    p.diagnostics.error("error:10000080:BIO routines::no such file", at: tok.range)
                }
                throw p.fail("error:05880002:x509 certificate routines::system lib", at: tok.range)
            }
            d.tls.verifyList = tok.text
            return .ok
        })
        list.append(S("CRLlist") { p, d in
            try requireCert(p, d, "CRlist")
            let tok = try p.string()
            if case .failure(let e) = FileSystem.readFile(tok.text) {
                throw p.fail("\(tok.text): X509_load_crl_file failed: \(opensslSystemError(e))", at: tok.range)
            }
            d.tls.crlList = tok.text
            return .ok
        })
        list.append(S("NoHTTPS11") { p, d in
            d.tls.noHTTPS11 = NoHTTPS11Mode(rawValue: try p.int(in: 0, 2)) ?? .off
            return .ok
        })
        return list
    }

    private static func requireCert(_ p: ConfigParser, _ d: ListenerDraft, _ name: String) throws {
        if !d.tls.hasCertificates {
            throw p.fail("\(name) may only be used after Cert")
        }
    }

    /// OpenSSL's rendering of a system error: `error:800000NN:system library::TEXT`.
    private static func opensslSystemError(_ e: SystemError) -> String {
        let code = String(UInt32(0x8000_0000) | UInt32(e.errno), radix: 16, uppercase: true)
        return "error:\(code):system library::\(e)"
    }

    /// `Cert "file-or-directory"` (Pound's https_parse_cert).
    static func parseCert(_ p: ConfigParser, _ tls: inout TLSSettings) throws {
        let tok = try p.string()
        let certname: String
        if tok.text.hasPrefix("/") {
            certname = tok.text
        } else {
            certname = try p.scanner.includeWorkDirectory(at: tok.range).name + "/" + tok.text
        }
        let info: FileSystem.FileInfo
        switch FileSystem.fileInfo(certname) {
        case .failure(let e): throw p.fail("\(certname): stat error: \(e)")
        case .success(let i): info = i
        }
        if info.isRegular {
            try loadCert(p, certname, into: &tls)
        } else if info.isDirectory {
            var base = certname
            while base.hasSuffix("/") { base.removeLast() }
            base += "/"
            guard let dir = opendir(certname) else {
                throw p.fail("\(certname): error opening directory: \(SystemError(errno: errno))")
            }
            defer { closedir(dir) }
            while let ent = readdir(dir) {
                let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let file = base + name
                switch FileSystem.fileInfo(file) {
                case .failure(let e):
                    p.diagnostics.error("\(file): stat error: \(e)", at: p.lastRange)
                case .success(let i) where i.isRegular:
                    try loadCert(p, file, into: &tls)
                case .success:
                    p.warn("ignoring \(file): not a regular file")
                }
            }
        } else {
            // Pound reports this but carries on (a missing Cert is caught at End).
            p.diagnostics.error("\(certname): not a regular file or directory", at: p.lastRange)
        }
    }

    /// Checks a certificate+key PEM file as far as possible without OpenSSL.
    private static func loadCert(_ p: ConfigParser, _ file: String, into tls: inout TLSSettings) throws {
        switch FileSystem.readFile(file) {
        case .failure(let e):
            throw p.fail("\(file): SSL_CTX_use_certificate_chain_file: \(opensslSystemError(e))")
        case .success(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("-----BEGIN CERTIFICATE-----") else {
                throw p.fail("\(file): SSL_CTX_use_certificate_chain_file: no certificate found")
            }
            guard text.contains("PRIVATE KEY-----") else {
                p.diagnostics.error("\(file): SSL_CTX_use_PrivateKey_file: error:1E08010C:DECODER routines::unsupported",
                                    at: p.lastRange)
                throw p.fail("error:0A080009:SSL routines::PEM lib")
            }
        }
        tls.certificates.append(CertificateFile(path: file, range: p.lastRange ?? .unset))
    }
}

/// The arguments of `Ciphers` for listeners and backends alike:
/// `[-cipherlist|-ciphersuites] "list" ...` up to the end of the line; each flag applies to
/// the strings after it, so TLS 1.3 suites can be restricted too (Pound issue #64).
struct CipherStrings {
    var cipherList: String?
    var cipherSuites: String?

    /// Reads through the end of line (the statement returns `.okNoNewline`).
    static func parse(_ p: ConfigParser) throws -> CipherStrings {
        var result = CipherStrings()
        var suites = false
        while true {
            while let opt = try p.option([("ciphersuites", false), ("cipherlist", false)]) {
                suites = opt.name == "ciphersuites"
            }
            let tok = try p.anyToken()
            switch tok.kind {
            case .string:
                if suites { result.cipherSuites = tok.text } else { result.cipherList = tok.text }
            case .newline:
                return result
            default:
                throw p.fail("expected cipher list, ciphersuites or newline, but found \(tok.kind.description)")
            }
        }
    }
}
