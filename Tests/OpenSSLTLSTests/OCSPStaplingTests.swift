import COpenSSL
import Foundation
import OCSPResponderHarness
import Synchronization
import Testing
@testable import OpenSSLTLS

/// `OCSPStapling` on real SSL_CTXs against `openssl ocsp` as the responder: handshakes
/// driven here through a BIO pair, the client asking for the status (RFC 6066 §8) and
/// reading what the server stapled.
@Suite("OCSP stapling", .serialized) struct OCSPStaplingTests {
    /// A scratch CA and a certificate `name` naming the responder on the fixture's port (or none).
    private static func setup(_ name: String, namesResponder: Bool = true) throws -> OCSPResponderFixture {
        let setup = try OCSPResponderFixture(caName: "Stapling CA", prefix: "stapling")
        try setup.issue(name, namesResponder: namesResponder)
        return setup
    }

    /// A server SSL_CTX as TLSServerContext makes one: the chain file, then the key.
    private static func serverContext(pem: String) throws -> OpaquePointer {
        let ctx = try #require(SSL_CTX_new(TLS_server_method()))
        guard SSL_CTX_use_certificate_chain_file(ctx, pem) == 1, SSL_CTX_use_PrivateKey_file(ctx, pem, SSL_FILETYPE_PEM) == 1
        else {
            SSL_CTX_free(ctx)
            throw CocoaError(.fileReadCorruptFile)
        }
        return ctx
    }

    /// One handshake with `server` by a client asking for the OCSP status: the stapled
    /// answer, nil when none came (the handshake must succeed either way).
    private static func staple(from server: OpaquePointer) throws -> [UInt8]? {
        let clientContext = try #require(SSL_CTX_new(TLS_client_method()))
        defer { SSL_CTX_free(clientContext) }
        let client = try #require(SSL_new(clientContext))
        defer { SSL_free(client) }
        let accepting = try #require(SSL_new(server))
        defer { SSL_free(accepting) }
        var clientBIO: OpaquePointer?, serverBIO: OpaquePointer?
        try #require(BIO_new_bio_pair(&clientBIO, 0, &serverBIO, 0) == 1)
        SSL_set_bio(client, clientBIO, clientBIO)
        SSL_set_bio(accepting, serverBIO, serverBIO)
        _ = pounce_SSL_set_tlsext_status_type(client, TLSEXT_STATUSTYPE_ocsp)
        SSL_set_connect_state(client)
        SSL_set_accept_state(accepting)
        var done = false
        for _ in 0..<20 where !done {
            let c = SSL_do_handshake(client)
            let s = SSL_do_handshake(accepting)
            done = c == 1 && s == 1
        }
        try #require(done, "handshake: \(OpenSSLErrors.drain())")
        var bytes: UnsafePointer<UInt8>?
        let length = pounce_SSL_get_tlsext_status_ocsp_resp(client, &bytes)
        guard length > 0, let bytes else { return nil }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }

    /// Handshakes until one brings a staple (the refresher fetches in the background).
    private static func waitForStaple(from server: OpaquePointer, timeout: Double = 15) throws -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let staple = try staple(from: server) { return staple }
            usleep(50_000)
        }
        return nil
    }

    @Test func aGoodAnswerIsStapledUntilDetached() throws {
        let setup = try Self.setup("good.stapling.test")
        try setup.startResponder(for: "good.stapling.test", revoked: false)
        let ctx = try Self.serverContext(pem: setup.pemPath("good.stapling.test"))
        defer { SSL_CTX_free(ctx) }
        OCSPStapling.attach(ctx)
        let stapled = try #require(try Self.waitForStaple(from: ctx))
        let query = try #require(OCSPQuery(chainPEM: try setup.chain("good.stapling.test")))
        let answer = try #require(query.check(stapled), "the stapled bytes are an answer for this certificate")
        #expect(answer.status == .good)
        #expect(abs((answer.nextUpdate ?? 0) - Date().timeIntervalSince1970 - 86_400) < 120)

        OCSPStapling.detach(ctx)
        #expect(try Self.staple(from: ctx) == nil, "a detached context staples nothing")
    }

    @Test func aRevokedAnswerIsStapledAsItIs() throws {
        let setup = try Self.setup("revoked.stapling.test")
        try setup.startResponder(for: "revoked.stapling.test", revoked: true)
        let ctx = try Self.serverContext(pem: setup.pemPath("revoked.stapling.test"))
        defer { SSL_CTX_free(ctx) }
        OCSPStapling.attach(ctx)
        defer { OCSPStapling.detach(ctx) }
        let stapled = try #require(try Self.waitForStaple(from: ctx))
        let query = try #require(OCSPQuery(chainPEM: try setup.chain("revoked.stapling.test")))
        #expect(query.check(stapled)?.status == .revoked)
    }

    @Test func aCertificateWithoutResponderHandshakesWithoutStaple() throws {
        let setup = try Self.setup("plain.stapling.test", namesResponder: false)
        let ctx = try Self.serverContext(pem: setup.pemPath("plain.stapling.test"))
        defer { SSL_CTX_free(ctx) }
        OCSPStapling.attach(ctx)
        defer { OCSPStapling.detach(ctx) }
        #expect(try Self.staple(from: ctx) == nil)
    }

    /// Collects `OCSPStapling.log`'s lines for the duration of `body`.
    private static func withLog<R>(_ body: (_ lines: @escaping @Sendable () -> [String]) throws -> R) rethrows -> R {
        let lines = Mutex<[String]>([])
        let previous = OCSPStapling.log
        OCSPStapling.log = { line in lines.withLock { $0.append(line) } }
        defer { OCSPStapling.log = previous }
        return try body { lines.withLock { $0 } }
    }

    @Test func contextsServingTheSameCertificateShareOneFetch() throws {
        let setup = try Self.setup("shared.stapling.test")
        try setup.startResponder(for: "shared.stapling.test", revoked: false)
        try Self.withLog { lines in
            let first = try Self.serverContext(pem: setup.pemPath("shared.stapling.test"))
            let second = try Self.serverContext(pem: setup.pemPath("shared.stapling.test"))
            defer {
                OCSPStapling.detach(first)
                OCSPStapling.detach(second)
                SSL_CTX_free(first)
                SSL_CTX_free(second)
            }
            OCSPStapling.attach(first)
            OCSPStapling.attach(second)
            let one = try #require(try Self.waitForStaple(from: first))
            let other = try #require(try Self.staple(from: second))
            #expect(one == other)
            let fetched = lines().filter { $0.hasPrefix("ocsp: shared.stapling.test: stapling answer (good), next update ") }
            #expect(fetched.count == 1, "\(lines())")
        }
    }

    @Test func anUnreachableResponderIsRetriedWithBackoff() throws {
        let setup = try Self.setup("down.stapling.test")
        try Self.withLog { lines in
            let ctx = try Self.serverContext(pem: setup.pemPath("down.stapling.test"))
            defer {
                OCSPStapling.detach(ctx)
                SSL_CTX_free(ctx)
            }
            OCSPStapling.attach(ctx)
            let deadline = Date().addingTimeInterval(10)
            while !lines().contains(where: { $0.hasPrefix("ocsp: down.stapling.test:") }) && Date() < deadline { usleep(20_000) }
            let line = lines().first { $0.hasPrefix("ocsp: down.stapling.test:") }
            #expect(line == "ocsp: down.stapling.test: http://127.0.0.1:\(setup.port): failed: "
                    + "connect to 127.0.0.1:\(setup.port): Connection refused; retrying in 10 s")
            #expect(try Self.staple(from: ctx) == nil)
        }
    }

    /// The schedule and the expiry, on the registry with answers made up around a real query.
    @Test func answersExpireAndFailuresBackOff() throws {
        let setup = try Self.setup("schedule.stapling.test")
        let query = try #require(OCSPQuery(chainPEM: try setup.chain("schedule.stapling.test")))
        let registry = StaplingRegistry()
        let (argument, isNew) = registry.attach(context: 1, key: [1, 2, 3], name: "n", query: query)
        #expect(isNew)
        let (shared, again) = registry.attach(context: 2, key: [1, 2, 3], name: "n", query: query)
        #expect(!again && shared != argument)

        let work = registry.nextWork(now: 1000)
        let job = try #require(work.job)
        #expect(registry.failed(job, now: 1000) == 10)
        #expect(registry.nextWork(now: 1005).job == nil && registry.nextWork(now: 1005).sleep == 5)
        #expect(registry.failed(job, now: 1010) == 20)
        #expect(registry.failed(job, now: 1030) == 40)

        let answer = OCSPQuery.Answer(status: .good, thisUpdate: 1000, nextUpdate: 2000, response: [9, 9])
        #expect(registry.fetched(job, answer: answer, now: 1070))
        #expect(registry.staple(argument: argument, now: 1100) == [9, 9])
        #expect(registry.staple(argument: shared, now: 1100) == [9, 9])
        // Refreshed half-way; a failure then retries from 10 s again.
        #expect(registry.nextWork(now: 1100).sleep == 400)
        #expect(registry.failed(job, now: 1500) == 10)
        // Past nextUpdate the answer is no longer handed out, and the sweep reports it.
        #expect(registry.staple(argument: argument, now: 2000) == nil)
        let swept = registry.nextWork(now: 2000)
        #expect(swept.expired.map(\.name) == ["n"])

        registry.detach(context: 1)
        #expect(registry.nextWork(now: 3000).job != nil, "still served by context 2")
        registry.detach(context: 2)
        let idle = registry.nextWork(now: 3000)
        #expect(idle.job == nil && idle.sleep == nil)
        #expect(registry.staple(argument: shared, now: 1100) == nil)
    }
}
