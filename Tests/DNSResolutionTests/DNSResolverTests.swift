import DNSTestServer
import CCAresBridge
import DNSResolution
import Foundation
import Testing

/// c-ares on its own thread against a real DNS server on 127.0.0.1.
@Suite struct DNSResolverTests {
    /// Waits for one answer (the completion runs on the resolver's thread).
    private func answer(_ resolver: DNSResolver, _ name: String, _ type: DNSRecordType) -> DNSAnswer? {
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        resolver.lookup(name, type) { answer in
            box.set(answer)
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return box.value
    }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: DNSAnswer?
        func set(_ a: DNSAnswer) { lock.withLock { stored = a } }
        var value: DNSAnswer? { lock.withLock { stored } }
    }

    private func resolver(_ server: TestDNSServer, timeout: Int = 300, tries: Int = 1) throws -> DNSResolver {
        try DNSResolver(servers: ["127.0.0.1:\(server.port)"], timeoutMilliseconds: timeout, tries: tries)
    }

    @Test func addressesComeWithTheSmallestTTL() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.set("be.example.org", [.a("127.0.0.2", ttl: 30), .a("127.0.0.3", ttl: 7), .aaaa("::1", ttl: 60)])
        let r = try resolver(server)
        defer { r.shutdown() }
        #expect(answer(r, "be.example.org", .a) == DNSAnswer(.addresses(["127.0.0.2", "127.0.0.3"]), ttl: 7))
        #expect(answer(r, "be.example.org", .aaaa) == DNSAnswer(.addresses(["::1"]), ttl: 60))
    }

    @Test func serviceRecordsKeepPriorityWeightAndPort() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.set("_http._tcp.example.org", [
            .srv(priority: 10, weight: 5, port: 8080, target: "a.example.org", ttl: 20),
            .srv(priority: 20, weight: 0, port: 8081, target: "b.example.org", ttl: 12),
        ])
        let r = try resolver(server)
        defer { r.shutdown() }
        #expect(answer(r, "_http._tcp.example.org", .srv) == DNSAnswer(.services([
            ServiceRecord(priority: 10, weight: 5, port: 8080, target: "a.example.org"),
            ServiceRecord(priority: 20, weight: 0, port: 8081, target: "b.example.org"),
        ]), ttl: 12))
    }

    @Test func unknownNamesAndMissingTypesAreNotFound() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.set("v4only.example.org", [.a("127.0.0.9", ttl: 5)])
        let r = try resolver(server)
        defer { r.shutdown() }
        #expect(answer(r, "nope.example.org", .a) == DNSAnswer(.notFound))
        #expect(answer(r, "v4only.example.org", .aaaa) == DNSAnswer(.notFound))
    }

    @Test func aChangedRecordIsSeenOnTheNextLookup() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.set("be.example.org", [.a("127.0.0.1", ttl: 5)])
        let r = try resolver(server)
        defer { r.shutdown() }
        #expect(answer(r, "be.example.org", .a)?.outcome == .addresses(["127.0.0.1"]))
        server.set("be.example.org", [.a("127.0.0.2", ttl: 5), .a("127.0.0.3", ttl: 5)])
        #expect(answer(r, "be.example.org", .a)?.outcome == .addresses(["127.0.0.2", "127.0.0.3"]))
    }

    @Test func aServerThatStopsAnsweringIsATemporaryFailure() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.set("be.example.org", [.a("127.0.0.1", ttl: 5)])
        server.answering = false
        let r = try resolver(server, timeout: 200, tries: 1)
        defer { r.shutdown() }
        guard case .temporaryFailure? = answer(r, "be.example.org", .a)?.outcome else {
            Issue.record("expected a temporary failure")
            return
        }
        #expect(server.queries >= 1)
    }

    @Test func shuttingDownAnswersWhatIsPending() throws {
        let server = try TestDNSServer()
        defer { server.stop() }
        server.answering = false
        let r = try resolver(server, timeout: 5000, tries: 3)
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        r.lookup("slow.example.org", .a) { box.set($0); done.signal() }
        let deadline = Date().addingTimeInterval(5)
        while server.queries == 0 && box.value == nil && Date() < deadline { usleep(1000) }
        #expect(box.value == nil, "answered before shutdown: \(String(describing: box.value))")
        r.shutdown()
        #expect(done.wait(timeout: .now() + 5) == .success)
        guard case .failure? = box.value?.outcome else {
            Issue.record("expected a failure, got \(String(describing: box.value))")
            return
        }
        // After shutdown, lookups are refused at once.
        #expect(answer(r, "be.example.org", .a)?.outcome == .failure("resolver stopped"))
    }

    @Test func aBadServerListIsRefused() {
        #expect(throws: DNSResolver.StartError.self) { try DNSResolver(servers: ["not an address"]) }
    }

    /// The TTL reader walks messages from the network: truncated or looping input
    /// must give 0, never read out of bounds.
    @Test func theTTLReaderSurvivesMalformedMessages() {
        var message: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        message += [2, 0x62, 0x65, 0, 0, 1, 0, 1]                             // question be. A IN
        message += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 42, 0, 4, 127, 0, 0, 1]    // answer, TTL 42
        #expect(pounce_dns_min_ttl(message, Int32(message.count), 1) == 42)
        for cut in 0..<message.count {
            #expect(pounce_dns_min_ttl(Array(message[..<cut]), Int32(cut), 1) == 0)
        }
        var loop = message
        loop[12] = 0xC0
        loop[13] = 12   // the question's name points at itself
        #expect(pounce_dns_min_ttl(loop, Int32(loop.count), 1) == 0)
    }
}
