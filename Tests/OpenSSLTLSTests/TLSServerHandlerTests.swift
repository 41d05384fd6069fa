import COpenSSL
import NIOCore
import NIOEmbedded
import OpenSSLTLS
import Testing

@Suite("TLSServerHandler")
struct TLSServerHandlerTests {
    let pki = TestPKI.shared

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A deterministic payload of `count` bytes.
    private func payload(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    // MARK: handshakes

    @Test func tls13HandshakeFiresOneEventWithTheSettledValues() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient(.init(alpn: ["h2", "http/1.1"]))
        #expect(try server.handshake(client))
        #expect(client.protocolVersion == "TLSv1.3")
        let info = try #require(server.recorder.handshakes.first)
        #expect(server.recorder.handshakes.count == 1)
        #expect(info.protocolVersion == "TLSv1.3")
        #expect(info.cipherName.hasPrefix("TLS_"))
        #expect(info.cipherDescription.hasPrefix(info.cipherName + " "))
        #expect(info.cipherDescription.contains("TLSv1.3"))
        #expect(!info.cipherDescription.hasSuffix("\n"))
        #expect(info.alpnProtocol == "http/1.1")
        #expect(info.serverName == nil)
        #expect(info.peerCertificate == nil)
        #expect(server.handler.connectionInfo == info)
        #expect(server.reportedErrors.isEmpty)
        // The handshake alone delivers no plaintext.
        #expect(server.recorder.reads == 0)
        #expect(server.recorder.readCompletes == 0)
    }

    @Test func tls12Handshake() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient(.init(maxVersion: TLS1_2_VERSION))
        #expect(try server.handshake(client))
        #expect(client.protocolVersion == "TLSv1.2")
        #expect(server.recorder.handshakes.first?.protocolVersion == "TLSv1.2")
        // Data still flows after a 1.2 handshake.
        try server.send(bytes("ping"), from: client)
        #expect(server.recorder.plaintext == bytes("ping"))
    }

    @Test func noALPNAnswerWhenHTTP11IsNotOffered() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient(.init(alpn: ["h2"]))
        #expect(try server.handshake(client))
        #expect(server.recorder.handshakes.first?.alpnProtocol == nil)
    }

    // MARK: data

    @Test func dataFlowsBothWays() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))

        try server.send(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), from: client)
        #expect(server.recorder.plaintext == bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(server.recorder.readCompletes == 1)

        let written = try server.reply(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), to: client)
        try written.wait()
        #expect(client.received == bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test(arguments: [Int.max, 16 * 1024 + 3, 1000])
    func oneMebibyteEachWay(chunkSize: Int) throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        server.chunkSize = chunkSize
        let client = TLSTestClient()
        #expect(try server.handshake(client))

        let upload = payload(1 << 20, seed: 1)
        try server.send(upload, from: client)
        #expect(server.recorder.plaintext.count == upload.count)
        #expect(server.recorder.plaintext == upload)

        let download = payload(1 << 20, seed: 2)
        let written = try server.reply(download, to: client)
        try written.wait()
        #expect(client.received.count == download.count)
        #expect(client.received == download)
        #expect(server.reportedErrors.isEmpty)
    }

    @Test func smallWritesFlushedTogetherShareOneRecord() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        while try server.channel.readOutbound(as: ByteBuffer.self) != nil {}

        let head = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
        let first = server.channel.write(ByteBuffer(bytes: head))
        let second = server.channel.write(ByteBuffer(bytes: bytes("hello")))
        // Nothing leaves before the flush.
        #expect(try server.channel.readOutbound(as: ByteBuffer.self) == nil)
        server.channel.flush()
        let ciphertext = try #require(try server.channel.readOutbound(as: ByteBuffer.self))
        #expect(try server.channel.readOutbound(as: ByteBuffer.self) == nil)
        // One TLS 1.3 record: 5-byte header, the plaintext, the content type, a 16-byte tag.
        #expect(ciphertext.readableBytes == head.count + 5 + 5 + 1 + 16)
        try first.wait()
        try second.wait()
        client.feed(ciphertext)
        client.readAvailable()
        #expect(client.received == head + bytes("hello"))
    }

    @Test func writesBeforeTheHandshakeCompletesWaitForIt() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let early = server.channel.writeAndFlush(ByteBuffer(bytes: bytes("early")))
        #expect(try server.channel.readOutbound(as: ByteBuffer.self) == nil)
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        try early.wait()
        client.readAvailable()
        #expect(client.received == bytes("early"))
    }

    // MARK: reads with autoRead off

    @Test func readsPassThroughAndContinueUntilPlaintextArrives() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        server.recorder.readsAgain = false

        // The layer above asks once; a partial record yields nothing, so the TLS
        // layer reads on by itself without bothering the layer above.
        server.channel.read()
        let before = server.counter.reads
        client.write(bytes("GET / HTTP/1.1\r\n\r\n"))
        let record = client.takeOutput()
        try server.channel.writeInbound(ByteBuffer(bytes: record.prefix(10)))
        #expect(server.recorder.reads == 0)
        #expect(server.recorder.readCompletes == 0)
        #expect(server.counter.reads == before + 1)

        try server.channel.writeInbound(ByteBuffer(bytes: record.dropFirst(10)))
        #expect(server.recorder.plaintext == bytes("GET / HTTP/1.1\r\n\r\n"))
        #expect(server.recorder.readCompletes == 1)
        // Plaintext was delivered: further reads are up to the layer above.
        let after = server.counter.reads
        try server.channel.writeInbound(ByteBuffer(bytes: [23]))
        #expect(server.counter.reads == after)
    }

    @Test func writabilityChangesReachTheLayerAbove() throws {
        try #require(pki.ready)
        final class WritabilityWatcher: ChannelInboundHandler {
            typealias InboundIn = ByteBuffer
            var changes = 0
            func channelWritabilityChanged(context: ChannelHandlerContext) { changes += 1 }
        }
        let server = try ServerHarness(pki.context())
        let watcher = WritabilityWatcher()
        try server.channel.pipeline.syncOperations.addHandler(watcher)
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(watcher.changes == 1)
    }

    // MARK: closing

    @Test func closeSendsCloseNotifyThenCloses() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        let unflushed = server.channel.write(ByteBuffer(bytes: bytes("never flushed")))
        let closed = server.channel.close()
        try server.pump(client)
        client.readAvailable()
        #expect(client.gotCloseNotify)
        #expect(client.received.isEmpty)
        try closed.wait()
        #expect(!server.channel.isActive)
        #expect(server.recorder.inactive)
        #expect(throws: ChannelError.self) { try unflushed.wait() }
        // Writes after close fail too.
        #expect(throws: ChannelError.self) { try server.channel.writeAndFlush(ByteBuffer(bytes: [1])).wait() }
    }

    @Test func flushedDataGoesOutBeforeCloseNotify() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        let written = server.channel.writeAndFlush(ByteBuffer(bytes: bytes("bye")))
        server.channel.close(promise: nil)
        try server.pump(client)
        client.readAvailable()
        try written.wait()
        #expect(client.received == bytes("bye"))
        #expect(client.gotCloseNotify)
    }

    @Test func clientCloseNotifyClosesTheConnection() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        client.write(bytes("last words"))
        client.shutdown()
        try server.pump(client)
        #expect(server.recorder.plaintext == bytes("last words"))
        #expect(!server.channel.isActive)
        #expect(server.recorder.inactive)
        client.readAvailable()
        #expect(client.gotCloseNotify)
        #expect(server.reportedErrors.isEmpty)
    }

    // MARK: failures

    @Test func aPlainHTTPClientGetsAClosedConnectionAndAPoundStyleReport() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        try server.channel.writeInbound(ByteBuffer(bytes: bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")))
        #expect(!server.channel.isActive)
        #expect(server.reportedErrors == ["handshake failed: error:0A00009C:SSL routines::http request"])
        #expect(server.recorder.handshakes.isEmpty)
        #expect(server.recorder.plaintext.isEmpty)
    }

    @Test func randomGarbageIsAHandshakeFailureNotACrash() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        try server.channel.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(!server.channel.isActive)
        #expect(server.reportedErrors.count == 1)
        #expect(server.reportedErrors.first?.hasPrefix("handshake failed: error:") == true)
    }

    @Test func garbageAfterTheHandshakeClosesTheConnection() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        try server.channel.writeInbound(ByteBuffer(bytes: [0x17, 0x03, 0x03, 0x00, 0x20] + payload(32)))
        #expect(!server.channel.isActive)
        #expect(server.reportedErrors.first?.hasPrefix("TLS read failed: error:") == true)
    }

    @Test func aClientLeavingMidHandshakeIsReportedAsUnexpectedEOF() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        _ = client.handshakeStep()
        try server.channel.writeInbound(ByteBuffer(bytes: client.takeOutput().prefix(20)))
        try server.channel.close().wait()
        #expect(server.reportedErrors == [])  // a close from above is not a failure

        let second = try ServerHarness(pki.context())
        second.channel.pipeline.fireChannelInactive()
        #expect(second.reportedErrors == ["handshake failed: error:0A000126:SSL routines::unexpected eof while reading"])
    }

    // MARK: listener settings

    @Test func sniSelectsTheMatchingCertificate() throws {
        try #require(pki.ready)
        let context = try pki.context(["Cert \"\(pki.defaultCert)\"", "Cert \"\(pki.secondCert)\""])
        let cases: [(String?, String)] = [
            ("second.test", "second.test"),
            ("any.wild.test", "second.test"),
            ("alt.default.test", "default.test"),
            ("unknown.test", "default.test"),
            (nil, "default.test"),
        ]
        for (name, expected) in cases {
            let server = try ServerHarness(context)
            let client = TLSTestClient(.init(serverName: name))
            #expect(try server.handshake(client))
            #expect(client.serverCertificateCommonName == expected, "SNI \(name ?? "none")")
            #expect(server.recorder.handshakes.first?.serverName == name)
        }
    }

    @Test func disablingTLS12RefusesATLS12OnlyClient() throws {
        try #require(pki.ready)
        let context = try pki.context(["Disable TLSv1_2"])
        let server = try ServerHarness(context)
        let client = TLSTestClient(.init(maxVersion: TLS1_2_VERSION))
        #expect(try server.handshake(client) == false)
        #expect(!server.channel.isActive)
        #expect(server.reportedErrors == ["handshake failed: error:0A000102:SSL routines::unsupported protocol"])
        // The client learnt why from the alert.
        #expect(client.failure?.contains("protocol version") == true)

        let modern = try ServerHarness(context)
        #expect(try modern.handshake(TLSTestClient()))
    }

    @Test func cipherSuitesRestrictTLS13() throws {
        try #require(pki.ready)
        let context = try pki.context(["Ciphers -ciphersuites \"TLS_CHACHA20_POLY1305_SHA256\""])
        let server = try ServerHarness(context)
        #expect(try server.handshake(TLSTestClient()))
        #expect(server.recorder.handshakes.first?.cipherName == "TLS_CHACHA20_POLY1305_SHA256")

        let refused = try ServerHarness(context)
        let client = TLSTestClient(.init(cipherSuites: "TLS_AES_128_GCM_SHA256"))
        #expect(try refused.handshake(client) == false)
        #expect(refused.reportedErrors.first?.hasPrefix("handshake failed: ") == true)
    }

    @Test func cipherListRestrictsTLS12() throws {
        try #require(pki.ready)
        let context = try pki.context(["Ciphers \"ECDHE-RSA-AES128-GCM-SHA256\""])
        let server = try ServerHarness(context)
        #expect(try server.handshake(TLSTestClient(.init(maxVersion: TLS1_2_VERSION))))
        #expect(server.recorder.handshakes.first?.cipherName == "ECDHE-RSA-AES128-GCM-SHA256")

        let refused = try ServerHarness(context)
        let client = TLSTestClient(.init(maxVersion: TLS1_2_VERSION, cipherList: "ECDHE-RSA-AES256-GCM-SHA384"))
        #expect(try refused.handshake(client) == false)
        #expect(!refused.channel.isActive)
    }

    @Test func honorCipherOrderPrefersTheServersOrder() throws {
        try #require(pki.ready)
        let list = "Ciphers \"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256\""
        let clientList = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
        let server = try ServerHarness(pki.context([list, "SSLHonorCipherOrder 1"]))
        #expect(try server.handshake(TLSTestClient(.init(maxVersion: TLS1_2_VERSION, cipherList: clientList))))
        #expect(server.recorder.handshakes.first?.cipherName == "ECDHE-RSA-AES256-GCM-SHA384")

        let clientFirst = try ServerHarness(pki.context([list, "SSLHonorCipherOrder 0"]))
        #expect(try clientFirst.handshake(TLSTestClient(.init(maxVersion: TLS1_2_VERSION, cipherList: clientList))))
        #expect(clientFirst.recorder.handshakes.first?.cipherName == "ECDHE-RSA-AES128-GCM-SHA256")
    }

    @Test func sessionsResume() throws {
        try #require(pki.ready)
        let context = try pki.context()
        let first = try ServerHarness(context)
        let client = TLSTestClient()
        #expect(try first.handshake(client))
        try first.reply(bytes("x"), to: client)
        let session = try #require(SSL_get1_session(client.ssl))
        defer { SSL_SESSION_free(session) }
        #expect(first.recorder.handshakes.first?.sessionReused == false)

        let second = try ServerHarness(context)
        #expect(try second.handshake(TLSTestClient(.init(session: session))))
        #expect(second.recorder.handshakes.first?.sessionReused == true)
    }

    // MARK: client certificates

    @Test func requiredClientCertificateIsVerifiedAndDescribed() throws {
        try #require(pki.ready)
        let context = try pki.context(["ClientCert 2 3", "VerifyList \"\(pki.caFile)\"", "CAlist \"\(pki.caFile)\""])
        let server = try ServerHarness(context)
        #expect(try server.handshake(TLSTestClient(.init(certificate: pki.clientCert))))
        let peer = try #require(server.recorder.handshakes.first?.peerCertificate)
        #expect(peer.subject == "O = Pounce, CN = client")
        #expect(peer.issuer == "CN = Test CA")
        #expect(peer.serial == "4660")
        #expect(peer.poundSerial == 4660)
        #expect(peer.verifyResult == 0)
        #expect(peer.pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(peer.pem.hasSuffix("-----END CERTIFICATE-----\n"))
        #expect(peer.notBefore.hasSuffix(" GMT"))
        #expect(peer.notAfter.hasSuffix(" GMT"))

        let anonymous = try ServerHarness(context)
        let client = TLSTestClient()
        _ = try anonymous.handshake(client)
        client.readAvailable()
        try anonymous.pump(client)
        #expect(!anonymous.channel.isActive)
        #expect(anonymous.reportedErrors.first?.contains("peer did not return a certificate") == true)

        let rogue = try ServerHarness(context)
        let rogueClient = TLSTestClient(.init(certificate: pki.rogueCert))
        _ = try rogue.handshake(rogueClient)
        rogueClient.readAvailable()
        try rogue.pump(rogueClient)
        #expect(!rogue.channel.isActive)
        #expect(rogue.reportedErrors.first?.contains("certificate verify failed") == true)
    }

    @Test func revokedClientCertificatesAreRefused() throws {
        try #require(pki.ready)
        let base = ["ClientCert 2 3", "VerifyList \"\(pki.caFile)\""]
        let accepting = try ServerHarness(pki.context(base + ["CRLlist \"\(pki.emptyCRL)\""]))
        #expect(try accepting.handshake(TLSTestClient(.init(certificate: pki.clientCert))))
        #expect(accepting.recorder.handshakes.first?.peerCertificate?.serial == "4660")

        let refusing = try ServerHarness(pki.context(base + ["CRLlist \"\(pki.revokedCRL)\""]))
        let client = TLSTestClient(.init(certificate: pki.clientCert))
        _ = try refusing.handshake(client)
        client.readAvailable()
        try refusing.pump(client)
        #expect(!refusing.channel.isActive)
        #expect(refusing.reportedErrors.first?.contains("certificate verify failed") == true)
    }

    @Test func unverifiedClientCertificatesAreAcceptedAndPassedOn() throws {
        try #require(pki.ready)
        let context = try pki.context(["ClientCert 3 1"])
        let server = try ServerHarness(context)
        #expect(try server.handshake(TLSTestClient(.init(certificate: pki.rogueCert))))
        #expect(server.recorder.handshakes.first?.peerCertificate?.subject == "CN = rogue")
        #expect(server.channel.isActive)

        let optional = try ServerHarness(pki.context(["ClientCert 1 1", "VerifyList \"\(pki.caFile)\""]))
        #expect(try optional.handshake(TLSTestClient()))
        #expect(optional.recorder.handshakes.first?.peerCertificate == nil)
    }
}

@Suite("TLSServerHandler, more")
struct TLSServerHandlerMoreTests {
    let pki = TestPKI.shared

    @Test func mixedWritesKeepTheirOrderAndAllPromisesComplete() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        let parts: [[UInt8]] = [Array("head\r\n".utf8), [UInt8](repeating: 0x41, count: 200_000),
                                Array("a".utf8), Array("b".utf8), [], [UInt8](repeating: 0x42, count: 70_000),
                                Array("tail".utf8)]
        let futures = parts.map { server.channel.write(ByteBuffer(bytes: $0)) }
        server.channel.flush()
        try server.pump(client)
        client.readAvailable()
        for future in futures { try future.wait() }
        #expect(client.received == parts.flatMap { $0 })
    }

    @Test func renegotiationIsRefusedByDefault() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        let client = TLSTestClient(.init(maxVersion: TLS1_2_VERSION))
        #expect(try server.handshake(client))
        #expect(SSL_renegotiate(client.ssl) == 1)
        _ = client.handshakeStep()
        try server.pump(client)
        client.readAvailable()
        try server.pump(client)
        // The server answered with a no_renegotiation alert; the client gives up.
        #expect(client.failure?.contains("no renegotiation") == true)
        #expect(SSL_renegotiate_pending(client.ssl) == 1)
    }

    @Test func secureRenegotiationWhenAllowed() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context(["SSLAllowClientRenegotiation 1"]))
        let client = TLSTestClient(.init(maxVersion: TLS1_2_VERSION))
        #expect(try server.handshake(client))
        #expect(SSL_renegotiate(client.ssl) == 1)
        #expect(client.handshakeStep() == false)
        try server.pump(client)
        // The server is mid-renegotiation now: its write has to wait for the client.
        let during = server.channel.writeAndFlush(ByteBuffer(bytes: Array("during".utf8)))
        for _ in 0..<4 {
            _ = client.handshakeStep()
            try server.pump(client)
        }
        #expect(client.failure == nil)
        #expect(SSL_renegotiate_pending(client.ssl) == 0)
        client.readAvailable()
        try during.wait()
        #expect(client.received == Array("during".utf8))
        client.received = []
        // Both directions still work after it.
        try server.send(Array("after".utf8), from: client)
        #expect(server.recorder.plaintext == Array("after".utf8))
        try server.reply(Array("ok".utf8), to: client).wait()
        #expect(client.received == Array("ok".utf8))
    }

    @Test func halfClosureTurnsCloseNotifyIntoInputClosed() throws {
        try #require(pki.ready)
        let server = try ServerHarness(pki.context())
        try server.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).wait()
        let client = TLSTestClient()
        #expect(try server.handshake(client))
        client.write(Array("request".utf8))
        client.shutdown()
        try server.pump(client)
        #expect(server.recorder.plaintext == Array("request".utf8))
        #expect(server.recorder.otherEvents == ["inputClosed"])
        #expect(server.channel.isActive)
        try server.reply(Array("response".utf8), to: client).wait()
        #expect(client.received == Array("response".utf8))
    }
}
