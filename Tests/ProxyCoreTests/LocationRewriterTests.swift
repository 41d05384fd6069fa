import NIOCore
import PoundConfig
import Testing
@testable import ProxyCore

/// `RewriteLocation`: Pound 4.23's modes 0/1/2 and the `safe` handling of mode 1.
@Suite struct LocationRewriterTests {
    let backend = LocationRewriter.BackendIdentity(address: try! SocketAddress(ipAddress: "10.0.0.5", port: 8080),
                                                   serverName: "app.internal", isHTTPS: false)
    let local = try? SocketAddress(ipAddress: "192.0.2.1", port: 8000)

    func rewrite(_ value: String, _ mode: RewriteLocationMode, host: String? = "www.example.com",
                 https: Bool = false, local: SocketAddress?? = nil) -> String? {
        LocationRewriter.rewrite(value, mode: mode, requestHost: host, listenerIsHTTPS: https,
                                 backend: backend, localAddress: local ?? self.local)
    }

    @Test(arguments: [RewriteLocationMode.enabled, .safe, .backendOnly])
    func aLocationAtTheBackendPointsAtTheClientsHost(mode: RewriteLocationMode) {
        #expect(rewrite("http://10.0.0.5:8080/a/b?c=1", mode) == "http://www.example.com/a/b?c=1")
        #expect(rewrite("http://app.internal/x", mode, https: true) == "https://www.example.com/x")
        #expect(rewrite("HTTP://APP.INTERNAL/x", mode) == "http://www.example.com/x")
        #expect(rewrite("http://10.0.0.5:8080", mode) == "http://www.example.com/")
    }

    @Test func modeZeroNeverRewrites() {
        #expect(rewrite("http://10.0.0.5:8080/a", .disabled) == nil)
    }

    @Test func withoutAHostHeaderNothingIsRewritten() {
        #expect(rewrite("http://10.0.0.5:8080/a", .enabled, host: nil) == nil)
        #expect(rewrite("http://10.0.0.5:8080/a", .enabled, host: "") == nil)
    }

    @Test func relativeAndNonHTTPLocationsAreLeftAlone() {
        for mode in [RewriteLocationMode.enabled, .safe, .backendOnly] {
            #expect(rewrite("/relative/path", mode) == nil)
            #expect(rewrite("ftp://10.0.0.5:8080/x", mode) == nil)
        }
    }

    @Test func pound423ModeOneRewritesForeignHosts() {
        #expect(rewrite("https://other.example/x", .enabled) == "http://www.example.com/x")
        #expect(rewrite("https://www.example.com/login", .enabled) == "http://www.example.com/login")
    }

    @Test func safeModeLeavesForeignHostsAndOtherSchemesAlone() {
        #expect(rewrite("https://other.example/x", .safe) == nil)
        #expect(rewrite("http://other.example:8000/x", .safe) == nil)
        // The https->http complaint (Pound #34): the request's own Host, other scheme.
        #expect(rewrite("https://www.example.com/login", .safe) == nil)
        // A ServerName with the wrong scheme is not the backend.
        #expect(rewrite("https://app.internal/x", .safe) == nil)
        // Another port of the backend's host is another server.
        #expect(rewrite("http://10.0.0.5:9090/x", .safe) == nil)
        #expect(rewrite("http://10.0.0.5/x", .safe) == nil)
    }

    @Test func safeModeRewritesTheListenersOwnAddress() {
        #expect(rewrite("http://192.0.2.1/x", .safe) == "http://www.example.com/x", "no port: the backend did not know it")
        #expect(rewrite("https://192.0.2.1/x", .safe) == "http://www.example.com/x")
        #expect(rewrite("http://192.0.2.1:8000/x", .safe) == "http://www.example.com/x")
        #expect(rewrite("http://192.0.2.1:8001/x", .safe) == nil, "another port is another service")
        #expect(rewrite("http://192.0.2.2/x", .safe) == nil)
        #expect(rewrite("http://192.0.2.1/x", .safe, local: .some(nil)) == nil)
    }

    @Test func dualStackListenerMatchesTheMappedAddress() throws {
        let mapped = try SocketAddress(ipAddress: "::ffff:192.0.2.1", port: 8000)
        #expect(rewrite("http://192.0.2.1/x", .safe, local: mapped) == "http://www.example.com/x")
        let v6 = try SocketAddress(ipAddress: "2001:db8::1", port: 8000)
        #expect(rewrite("http://[2001:db8::1]:8000/x", .safe, local: v6) == "http://www.example.com/x")
        #expect(rewrite("http://[2001:db8:0::1]/x", .safe, local: v6) == "http://www.example.com/x")
    }

    @Test func modeTwoComparesOnlyWithTheBackend() {
        #expect(rewrite("http://192.0.2.1/x", .backendOnly) == nil)
        #expect(rewrite("https://other.example/x", .backendOnly) == nil)
    }

    @Test func hugeOrGarbledPortsDoNotTrap() {
        #expect(rewrite("http://10.0.0.5:99999999999/x", .safe) == nil)
        #expect(rewrite("http://192.0.2.1:80x/x", .safe) == nil)
        #expect(rewrite("http://10.0.0.5:99999999999/x", .enabled) == "http://www.example.com/x")
    }

    @Test func parseSplitsLikePound() {
        #expect(LocationRewriter.parse("see https://h:81/p?q") ==
                LocationRewriter.Parsed(proto: "https", host: "h", explicitPort: 81, path: "p?q"))
        #expect(LocationRewriter.parse("http://[::1]/") ==
                LocationRewriter.Parsed(proto: "http", host: "::1", explicitPort: nil, path: ""))
        #expect(LocationRewriter.parse("/x") == nil)
    }
}
