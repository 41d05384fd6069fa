import COpenSSL
import OpenSSLTLS
import PoundConfig
import Testing

@Suite("TLSServerContext")
struct TLSServerContextTests {
    let pki = TestPKI.shared

    @Test func namesForSNIComeFromCNThenDNSSubjectAltNames() throws {
        try #require(pki.ready)
        let context = try pki.context(["Cert \"\(pki.defaultCert)\"", "Cert \"\(pki.secondCert)\""])
        #expect(context.certificateNames == [["default.test", "default.test", "alt.default.test"],
                                             ["second.test", "*.wild.test"]])
        #expect(context.certificateIndex(forServerName: "second.test") == 1)
        #expect(context.certificateIndex(forServerName: "x.wild.test") == 1)
        #expect(context.certificateIndex(forServerName: "X.Wild.Test") == 1)
        #expect(context.certificateIndex(forServerName: "alt.default.test") == 0)
        #expect(context.certificateIndex(forServerName: "elsewhere.test") == nil)
    }

    @Test func protocolFloorIsTLS12UnlessTLS12IsDisabled() throws {
        try #require(pki.ready)
        #expect(try pki.context().minimumProtocolVersion == TLS1_2_VERSION)
        #expect(try pki.context(["Disable TLSv1_1"]).minimumProtocolVersion == TLS1_2_VERSION)
        #expect(try pki.context(["Disable TLSv1_2"]).minimumProtocolVersion == TLS1_3_VERSION)
    }

    // The configuration parser already refuses such files; these cover a file that
    // changed between parsing and loading (a reload, a renewal in progress).

    @Test func aMissingKeyNamesTheFileAndOpenSSLsReason() throws {
        try #require(pki.ready)
        let path = try pki.copy(pki.defaultCert, to: "changing-1.pem")
        let settings = try pki.settings(["Cert \"\(path)\""])
        _ = try pki.copy(pki.keylessCert, to: "changing-1.pem")
        let error = #expect(throws: TLSContextError.self) { try TLSServerContext(settings: settings) }
        #expect(error?.message.hasPrefix(path + ": SSL_CTX_use_PrivateKey_file: error:") == true)
        #expect(error?.file == path)
        #expect(error?.range == settings.certificates.first?.range)
    }

    @Test func aFileThatIsNoCertificateIsRefused() throws {
        try #require(pki.ready)
        let path = try pki.copy(pki.defaultCert, to: "changing-2.pem")
        let settings = try pki.settings(["Cert \"\(path)\""])
        _ = try pki.copy(pki.directory + "/ca.key", to: "changing-2.pem")
        let error = #expect(throws: TLSContextError.self) { try TLSServerContext(settings: settings) }
        #expect(error?.message.hasPrefix(path + ": SSL_CTX_use_certificate_chain_file: error:") == true)
    }

    @Test func badCipherStringsAreReportedLikePound() throws {
        try #require(pki.ready)
        let list = try pki.settings(["Cert \"\(pki.defaultCert)\"", "Ciphers \"NO-SUCH-CIPHER\""])
        let listError = #expect(throws: TLSContextError.self) { try TLSServerContext(settings: list) }
        #expect(listError?.message == "failed to set cipher list NO-SUCH-CIPHER")

        let suites = try pki.settings(["Cert \"\(pki.defaultCert)\"", "Ciphers -ciphersuites \"TLS_NOPE\""])
        let suitesError = #expect(throws: TLSContextError.self) { try TLSServerContext(settings: suites) }
        #expect(suitesError?.message == "failed to set ciphersuites TLS_NOPE")
    }

    @Test func aBadVerifyListIsReported() throws {
        try #require(pki.ready)
        let settings = try pki.settings(["Cert \"\(pki.defaultCert)\"", "ClientCert 2 3",
                                         "VerifyList \"\(pki.directory)/default.key\""])
        let error = #expect(throws: TLSContextError.self) { try TLSServerContext(settings: settings) }
        #expect(error?.message.hasPrefix(pki.directory + "/default.key: SSL_CTX_load_verify_locations: error:") == true)
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with other: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + other : self
    }
}

/// ALPN's choice from a client's list (RFC 7301 wire format), by server preference.
@Suite("ALPN selection")
struct ALPNSelectionTests {
    private func wire(_ names: [String]) -> [UInt8] {
        names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    private func choose(_ names: [String], http2: Bool) -> String? {
        wire(names).withUnsafeBufferPointer { offered in
            ALPN.select(offered: offered, http2: http2).map { String(decoding: offered[$0], as: UTF8.self) }
        }
    }

    @Test func h2IsPreferredWhenOnWhateverTheClientsOrder() {
        #expect(choose(["http/1.1", "h2"], http2: true) == "h2")
        #expect(choose(["http/1.1", "h2"], http2: false) == "http/1.1")
        #expect(choose(["h2"], http2: false) == nil)
        #expect(choose(["spdy/3", "http/1.0"], http2: true) == nil)
    }

    @Test func aTruncatedListIsReadUpToWhereItBreaks() {
        var list = wire(["http/1.1"])
        list += [9, 0x68, 0x32]   // a name claiming 9 bytes with 2 left
        let chosen = list.withUnsafeBufferPointer { ALPN.select(offered: $0, http2: true) }
        #expect(chosen == 1..<9)
    }
}
