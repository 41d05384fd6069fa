import COpenSSL
import NIOCore
import NIOEmbedded
@testable import OpenSSLTLS
import PoundConfig
import Testing

@Suite("TLSHandler as a client")
struct TLSClientHandlerTests {
    let pki = TestPKI.shared

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func clientContext(serverName: String? = nil, certificate: String? = nil,
                               disable: Backend.TLSProtocol? = nil, cipherSuites: String? = nil) throws -> TLSClientContext {
        var settings = Backend.TLSSettings()
        settings.certificateFile = certificate
        settings.disabledUpTo = disable
        settings.cipherSuites = cipherSuites
        return try TLSClientContext(settings: settings, serverName: serverName)
    }

    // MARK: handshake and data

    @Test(arguments: [false, true])
    func handshakeThenDataBothWays(addWhenActive: Bool) throws {
        try #require(pki.ready)
        let pair = try ClientServerPair(client: clientContext(), server: pki.context(), addWhenActive: addWhenActive)
        // The client spoke first, without being asked.
        let hello = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        #expect(hello.getInteger(at: hello.readerIndex, as: UInt8.self) == 22)  // handshake record
        try pair.server.writeInbound(hello)
        try pair.pump()

        #expect(pair.handshakeDone)
        #expect(pair.clientRecorder.handshakes.count == 1)
        #expect(pair.serverRecorder.handshakes.count == 1)
        let info = try #require(pair.clientHandler.connectionInfo)
        #expect(info.protocolVersion == "TLSv1.3")
        #expect(info.sessionReused == false)
        // What the client sees of the peer is the server's certificate.
        #expect(info.peerCertificate?.subject == "CN = default.test")
        #expect(pair.clientErrors.isEmpty && pair.serverErrors.isEmpty)

        pair.client.writeAndFlush(ByteBuffer(bytes: bytes("GET / HTTP/1.1\r\n\r\n")), promise: nil)
        try pair.pump()
        #expect(pair.serverRecorder.plaintext == bytes("GET / HTTP/1.1\r\n\r\n"))
        let reply = pair.server.writeAndFlush(ByteBuffer(bytes: bytes("HTTP/1.1 204 No Content\r\n\r\n")))
        try pair.pump()
        try reply.wait()
        #expect(pair.clientRecorder.plaintext == bytes("HTTP/1.1 204 No Content\r\n\r\n"))
    }

    @Test func aRequestWrittenBeforeTheHandshakeGoesOutAfterIt() throws {
        try #require(pki.ready)
        let pair = try ClientServerPair(client: clientContext(), server: pki.context())
        let request = pair.client.writeAndFlush(ByteBuffer(bytes: bytes("early request")))
        try pair.pump()
        try request.wait()
        #expect(pair.handshakeDone)
        #expect(pair.serverRecorder.plaintext == bytes("early request"))
    }

    @Test func aPeerCertificateWithALongSerialDoesNotSpoilTheFirstRead() throws {
        try #require(pki.ready)
        // Reading a 20-byte serial as a `long` (X-SSL-serial) queues an OpenSSL error;
        // the request that came with the client's Finished must still be read.
        let server = try pki.context(["ClientCert 3 1"])
        let pair = try ClientServerPair(client: clientContext(certificate: pki.rogueCert), server: server)
        pair.client.writeAndFlush(ByteBuffer(bytes: bytes("GET / HTTP/1.1\r\n\r\n")), promise: nil)
        try pair.pump()
        #expect(pair.serverRecorder.handshakes.first?.peerCertificate?.poundSerial == -1)
        #expect(pair.serverRecorder.plaintext == bytes("GET / HTTP/1.1\r\n\r\n"))
        #expect(pair.serverErrors.isEmpty)
        #expect(pair.server.isActive)
    }

    @Test func serverNameIsSentAsSNI() throws {
        try #require(pki.ready)
        let server = try pki.context(["Cert \"\(pki.defaultCert)\"", "Cert \"\(pki.secondCert)\""])
        let context = try clientContext(serverName: "second.test")
        #expect(context.serverName == "second.test")
        let pair = try ClientServerPair(client: context, server: server)
        try pair.pump()
        #expect(pair.serverRecorder.handshakes.first?.serverName == "second.test")
        // The server picked its certificate by it.
        #expect(pair.clientHandler.connectionInfo?.peerCertificate?.subject == "CN = second.test")

        let anonymous = try ClientServerPair(client: clientContext(), server: server)
        try anonymous.pump()
        #expect(anonymous.serverRecorder.handshakes.first?.serverName == nil)
        #expect(anonymous.clientHandler.connectionInfo?.peerCertificate?.subject == "CN = default.test")
    }

    @Test func theClientCertificateIsPresented() throws {
        try #require(pki.ready)
        let server = try pki.context(["ClientCert 2 3", "VerifyList \"\(pki.caFile)\""])
        let pair = try ClientServerPair(client: clientContext(certificate: pki.clientCert), server: server)
        try pair.pump()
        #expect(pair.handshakeDone)
        let peer = try #require(pair.serverRecorder.handshakes.first?.peerCertificate)
        #expect(peer.subject == "O = Pounce, CN = client")
        #expect(peer.verifyResult == 0)

        // Without one, a server that requires it refuses the handshake.
        let refused = try ClientServerPair(client: clientContext(), server: server)
        try refused.pump()
        #expect(!refused.server.isActive)
        #expect(!refused.client.isActive)
        #expect(refused.clientErrors.first?.hasPrefix("handshake with backend failed: ") == true
                || refused.clientErrors.first?.hasPrefix("TLS read failed: ") == true)
    }

    @Test func theNextConnectionResumesTheSession() throws {
        try #require(pki.ready)
        let server = try pki.context()
        let context = try clientContext()
        #expect(!context.hasCachedSession)

        let first = try ClientServerPair(client: context, server: server)
        try first.pump()
        #expect(first.clientHandler.connectionInfo?.sessionReused == false)
        // TLS 1.3 tickets come after the handshake; they are what gets cached.
        #expect(context.hasCachedSession)

        let second = try ClientServerPair(client: context, server: server)
        try second.pump()
        #expect(second.clientHandler.connectionInfo?.sessionReused == true)
        #expect(second.serverRecorder.handshakes.first?.sessionReused == true)
        let ssl = try #require(second.clientHandler.ssl)
        #expect(SSL_session_reused(ssl) == 1)

        // A forgotten session means a full handshake again.
        context.forgetSession()
        let third = try ClientServerPair(client: context, server: server)
        try third.pump()
        #expect(third.clientHandler.connectionInfo?.sessionReused == false)
    }

    // MARK: reads with autoRead off (the backend connection drives reads itself)

    @Test func readsAgainItselfUntilPlaintextArrives() throws {
        try #require(pki.ready)
        let pair = try ClientServerPair(client: clientContext(), server: pki.context())
        try pair.pump()
        pair.clientRecorder.readsAgain = false

        pair.client.read()
        let before = pair.clientReads.reads
        pair.server.writeAndFlush(ByteBuffer(bytes: bytes("HTTP/1.1 200 OK\r\n\r\n")), promise: nil)
        var record = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
        let head = record.readSlice(length: 7)
        try pair.client.writeInbound(try #require(head))
        // Half a record: nothing for the layer above, one more read by the handler.
        #expect(pair.clientRecorder.readCompletes == 0)
        #expect(pair.clientReads.reads == before + 1)

        try pair.client.writeInbound(record)
        #expect(pair.clientRecorder.plaintext == bytes("HTTP/1.1 200 OK\r\n\r\n"))
        #expect(pair.clientRecorder.readCompletes == 1)
        // With plaintext delivered, the next read is the layer above's to ask for.
        #expect(pair.clientReads.reads == before + 1)
    }

    // MARK: closing and failures

    @Test func closeSendsCloseNotifyToTheServer() throws {
        try #require(pki.ready)
        let pair = try ClientServerPair(client: clientContext(), server: pki.context())
        try pair.pump()
        let closed = pair.client.close()
        try pair.pump()
        try closed.wait()
        #expect(!pair.client.isActive)
        // The server took the close_notify like a FIN.
        #expect(!pair.server.isActive)
        #expect(pair.serverErrors.isEmpty && pair.clientErrors.isEmpty)
    }

    @Test func aProtocolMismatchClosesCleanlyWithAReport() throws {
        try #require(pki.ready)
        let server = try pki.context()
        // A backend that speaks TLS 1.2 at most, against `Disable TLSv1_2`.
        for ctx in server.contexts { _ = pounce_SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) }
        let context = try clientContext(disable: .tlsv1_2)
        #expect(context.minimumProtocolVersion == TLS1_3_VERSION)
        let pair = try ClientServerPair(client: context, server: server)
        let written = pair.client.writeAndFlush(ByteBuffer(bytes: bytes("never sent")))
        try pair.pump()

        #expect(!pair.client.isActive)
        #expect(!pair.server.isActive)
        #expect(pair.clientRecorder.inactive)
        #expect(pair.clientRecorder.handshakes.isEmpty)
        #expect(pair.clientErrors == ["handshake with backend failed: error:0A00042E:SSL routines::tlsv1 alert protocol version"])
        #expect(pair.serverErrors == ["handshake failed: error:0A000102:SSL routines::unsupported protocol"])
        #expect(throws: (any Error).self) { try written.wait() }
        #expect(pair.serverRecorder.plaintext.isEmpty)
    }

    @Test func aBackendLeavingMidHandshakeIsReported() throws {
        try #require(pki.ready)
        let pair = try ClientServerPair(client: clientContext(), server: pki.context())
        _ = try pair.client.readOutbound(as: ByteBuffer.self)
        pair.client.pipeline.fireChannelInactive()
        #expect(pair.clientErrors == ["handshake with backend failed: error:0A000126:SSL routines::unexpected eof while reading"])
    }

    // MARK: building the context

    @Test func disableBelowTLS12KeepsTheTLS12Floor() throws {
        #expect(try clientContext().minimumProtocolVersion == TLS1_2_VERSION)
        #expect(try clientContext(disable: .tlsv1_1).minimumProtocolVersion == TLS1_2_VERSION)
    }

    @Test func aCertificateWithoutItsKeyIsRefusedNamingTheFile() throws {
        try #require(pki.ready)
        var settings = Backend.TLSSettings()
        settings.certificateFile = pki.keylessCert
        let range = LocusRange(begin: LocusPoint(file: "pound.cfg", line: 9, column: 30),
                               end: LocusPoint(file: "pound.cfg", line: 9, column: 49))
        settings.certificateRange = range
        let error = #expect(throws: TLSContextError.self) { try TLSClientContext(settings: settings, serverName: nil) }
        #expect(error?.message.hasPrefix(pki.keylessCert + ": SSL_CTX_use_PrivateKey_file: error:") == true)
        #expect(error?.file == pki.keylessCert)
        #expect(error?.range == range)
    }

    @Test func aMismatchedKeyIsRefused() throws {
        try #require(pki.ready)
        let mixed = pki.directory + "/mixed.pem"
        #expect(system("cat '\(pki.directory)/client.crt' '\(pki.directory)/rogue.key' > '\(mixed)'") == 0)
        var settings = Backend.TLSSettings()
        settings.certificateFile = mixed
        let error = #expect(throws: TLSContextError.self) { try TLSClientContext(settings: settings, serverName: nil) }
        #expect(error?.message.hasPrefix(mixed + ": SSL_CTX_use_PrivateKey_file: error:") == true)
        #expect(error?.message.hasSuffix("key values mismatch") == true)
    }

    @Test func badCipherStringsAreReportedLikePound() throws {
        var list = Backend.TLSSettings()
        list.cipherList = "NO-SUCH-CIPHER"
        let listError = #expect(throws: TLSContextError.self) { try TLSClientContext(settings: list, serverName: nil) }
        #expect(listError?.message == "failed to set cipher list NO-SUCH-CIPHER")
        let suitesError = #expect(throws: TLSContextError.self) { try clientContext(cipherSuites: "TLS_NOPE") }
        #expect(suitesError?.message == "failed to set ciphersuites TLS_NOPE")
    }
}
