/// The ListenHTTPS statements of automatic HTTPS (Pounce extensions): `AutoCert` and the
/// statements saying which CA, how it is trusted, who to contact, where the state is kept
/// and which challenge proves the names. Checked whole at `End` (`checkAutoCert`) and
/// against the other listeners once the file is read (`finalizeAutoCert`).
extension Listener {
    private typealias S = Statement<ListenerDraft>

    static func autoCertStatements() -> [Statement<ListenerDraft>] {
        var list: [S] = []
        list.append(S("AutoCert") { p, d in
            let keyword = p.lastRange
            let begin = keyword?.begin ?? .unset
            var names: [String] = []
            var end = p.lastRange?.end ?? .unset
            while let tok = try p.optionalString() {
                try checkName(tok, p)
                if names.contains(tok.text) || d.tls.autoCertificates.contains(where: { $0.names.contains(tok.text) }) {
                    throw p.fail("AutoCert: \(tok.text) is named twice", at: tok.range)
                }
                names.append(tok.text)
                end = tok.range.end
            }
            if names.isEmpty { throw p.fail("AutoCert needs at least one name", at: keyword) }
            d.tls.autoCertificates.append(AutoCertificate(names: names, range: LocusRange(begin: begin, end: end),
                                                          position: d.tls.certificates.count))
            return .ok
        })
        list.append(S("CertificateAuthority") { p, d in
            let tok = try p.string()
            guard tok.text.hasPrefix("https://"), tok.text.count > "https://".count, !tok.text.contains(where: \.isWhitespace) else {
                throw p.fail("CertificateAuthority: \(tok.text): not an https URL", at: tok.range)
            }
            d.tls.acme.directoryURL = tok.text
            d.acmeStatement = d.acmeStatement ?? ("CertificateAuthority", tok.range)
            return .ok
        })
        list.append(S("CertificateAuthorityTrust") { p, d in
            let tok = try p.string()
            switch FileSystem.readFile(tok.text) {
            case .failure(let e): throw p.fail("CertificateAuthorityTrust: \(tok.text): \(e)", at: tok.range)
            case .success(let bytes):
                guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                    throw p.fail("CertificateAuthorityTrust: \(tok.text): no certificate found", at: tok.range)
                }
            }
            d.tls.acme.trustFile = tok.text
            d.acmeStatement = d.acmeStatement ?? ("CertificateAuthorityTrust", tok.range)
            return .ok
        })
        list.append(S("Contact") { p, d in
            let tok = try p.string()
            guard tok.text.hasPrefix("mailto:"), tok.text.count > "mailto:".count else {
                throw p.fail("Contact: \(tok.text): expected a mailto: URL", at: tok.range)
            }
            d.tls.acme.contact.append(tok.text)
            d.acmeStatement = d.acmeStatement ?? ("Contact", tok.range)
            return .ok
        })
        list.append(S("StateDirectory") { p, d in
            let tok = try p.string()
            guard tok.text.hasPrefix("/") else {
                throw p.fail("StateDirectory: \(tok.text): expected an absolute path", at: tok.range)
            }
            if case .success(let info) = FileSystem.fileInfo(tok.text), !info.isDirectory {
                throw p.fail("StateDirectory: \(tok.text) is not a directory", at: tok.range)
            }
            var path = tok.text
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            d.tls.acme.stateDirectory = path
            d.acmeStatement = d.acmeStatement ?? ("StateDirectory", tok.range)
            return .ok
        })
        list.append(S("Challenge") { p, d in
            let tok = try p.string()
            guard let type = ACMEChallengeType(rawValue: tok.text.lowercased()) else {
                let known = ACMEChallengeType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                let why = tok.text.lowercased() == "dns-01" ? " (dns-01 is not answered by Pounce)" : ""
                throw p.fail("Challenge: expected \(known)\(why)", at: tok.range)
            }
            d.tls.acme.challenge = type
            d.tls.acme.challengeRange = tok.range
            d.acmeStatement = d.acmeStatement ?? ("Challenge", tok.range)
            return .ok
        })
        return list
    }

    private static func checkName(_ tok: Token, _ p: ConfigParser) throws {
        if tok.text.hasPrefix("*.") {
            throw p.fail("AutoCert: \(tok.text): wildcard names need the dns-01 challenge, which Pounce does not answer",
                         at: tok.range)
        }
        guard AutoCertificate.isPlainName(tok.text) else {
            throw p.fail("AutoCert: \(tok.text) is not a DNS name", at: tok.range)
        }
    }

    /// At the listener's `End`: the ACME statements mean nothing without `AutoCert`.
    static func checkAutoCert(_ p: ConfigParser, _ d: ListenerDraft) throws {
        if d.tls.autoCertificates.isEmpty, let (name, range) = d.acmeStatement {
            throw p.fail("\(name) has no effect without AutoCert", at: range)
        }
    }

    /// Once every listener is read: http-01 needs a ListenHTTP, whose implicit ACME service
    /// serves the tokens (before its own services, as Pound's `ACME` statement would);
    /// one folder of tokens per configuration, so one StateDirectory for http-01.
    static func finalizeAutoCert(_ listeners: inout [Listener], parser p: ConfigParser) throws {
        var http01: ACMESettings?
        for l in listeners {
            guard case .https(let tls) = l.kind, !tls.autoCertificates.isEmpty, tls.acme.challenge == .http01 else { continue }
            if let first = http01, first.stateDirectory != tls.acme.stateDirectory {
                throw p.fail("Challenge \"http-01\": every listener using it must share one StateDirectory "
                             + "(\(first.stateDirectory) and \(tls.acme.stateDirectory))", at: tls.acme.challengeRange)
            }
            http01 = tls.acme
        }
        guard let acme = http01 else { return }
        guard listeners.contains(where: { if case .http = $0.kind { true } else { false } }) else {
            throw p.fail("Challenge \"http-01\" needs a ListenHTTP to answer on (the CA connects to port 80)",
                         at: acme.challengeRange)
        }
        for i in listeners.indices {
            guard case .http = listeners[i].kind else { continue }
            if let own = listeners[i].acmeChallenges.first {
                p.warn("this listener's ACME statement serves /.well-known/acme-challenge/: "
                       + "AutoCert's http-01 challenges are not answered here", at: own.range)
                continue
            }
            listeners[i].acmeChallenges.append(ACMEChallenge(directory: acme.challengeDirectory,
                                                             range: acme.challengeRange ?? listeners[i].range,
                                                             servicePosition: 0))
        }
    }
}
