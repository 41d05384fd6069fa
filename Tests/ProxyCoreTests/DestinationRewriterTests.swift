import HTTPWire
import NIOCore
import Testing
@testable import ProxyCore

/// `RewriteDestination`: WebDAV `Destination:` pointed at the backend, as Pound's
/// `send_to_backend` does.
@Suite struct DestinationRewriterTests {
    @Test func theHostPartIsReplacedByTheBackendAndThePathKept() {
        #expect(DestinationRewriter.rewrite("http://www.example.com/dav/new%20name.txt?x=1", backendIsHTTPS: false,
                                            backendAuthority: "10.0.0.5:8080") == "http://10.0.0.5:8080/dav/new%20name.txt?x=1")
        #expect(DestinationRewriter.rewrite("https://www.example.com:8443/a", backendIsHTTPS: false,
                                            backendAuthority: "10.0.0.5:80") == "http://10.0.0.5:80/a")
        #expect(DestinationRewriter.rewrite("http://www.example.com/a", backendIsHTTPS: true,
                                            backendAuthority: "10.0.0.5:443") == "https://10.0.0.5:443/a")
        // No path at all: Pound appends nothing.
        #expect(DestinationRewriter.rewrite("http://www.example.com", backendIsHTTPS: false,
                                            backendAuthority: "b:1") == "http://b:1")
    }

    @Test func aValueThatIsNoURLIsNotRewritten() {
        #expect(DestinationRewriter.rewrite("/dav/new.txt", backendIsHTTPS: false, backendAuthority: "b:1") == nil)
        #expect(DestinationRewriter.rewrite("ftp://h/x", backendIsHTTPS: false, backendAuthority: "b:1") == nil)
    }

    @Test func backendAddressesArePrintedAsPoundPrintsThem() throws {
        #expect(DestinationRewriter.authority(of: try SocketAddress(ipAddress: "127.0.0.1", port: 8080)) == "127.0.0.1:8080")
        #expect(DestinationRewriter.authority(of: try SocketAddress(ipAddress: "::1", port: 81)) == "[::1]:81")
        #expect(DestinationRewriter.authority(of: try SocketAddress(ipAddress: "::ffff:10.1.2.3", port: 82)) == "10.1.2.3:82")
        #expect(DestinationRewriter.authority(of: try SocketAddress(unixDomainSocketPath: "/run/be.sock")) == "/run/be.sock")
    }

    @Test func onlyTheFirstDestinationHeaderChanges() throws {
        var headers: HTTPHeaders = ["Host": "www.example.com"]
        headers.append("destination", "http://www.example.com/b")
        headers.append("Destination", "http://www.example.com/c")
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 9000)
        #expect(DestinationRewriter.apply(to: &headers, backendIsHTTPS: false, backendAddress: address) == nil)
        #expect(headers.values("Destination") == ["http://127.0.0.1:9000/b", "http://www.example.com/c"])
        #expect(headers.fields[1].name == "Destination")
    }

    @Test func anUnparsableValueIsReturnedForTheLogAndKept() throws {
        var headers: HTTPHeaders = ["Destination": "/relative"]
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 9000)
        #expect(DestinationRewriter.apply(to: &headers, backendIsHTTPS: false, backendAddress: address) == "/relative")
        #expect(headers.first("Destination") == "/relative")
        var none: HTTPHeaders = ["Host": "x"]
        #expect(DestinationRewriter.apply(to: &none, backendIsHTTPS: false, backendAddress: address) == nil)
    }
}
