import HTTPWire
import PoundConfig
import Testing
@testable import RequestLog

/// The X-Forwarded-For cases of Pound's logfmt test (%a with TrustedIP).
@Suite struct ForwardedClientTests {
    func acl(_ addresses: String...) -> ACL {
        var acl = ACL()
        acl.entries = addresses.map { a in
            CIDR(family: .inet, address: a.split(separator: ".").compactMap { UInt8($0) }, prefixLength: 32)
        }
        return acl
    }

    func resolve(_ headers: HTTPHeaders, name: String = "X-Forwarded-For", combinable: Bool = false,
                 trusted: ACL?) -> String? {
        ForwardedClient.address(in: headers, headerName: name, combinable: combinable, trusted: trusted)
    }

    @Test func lastUntrustedAddressWins() {
        let h: HTTPHeaders = ["X-Forwarded-For": "192.0.2.4, 192.0.2.5"]
        #expect(resolve(h, trusted: acl("127.0.0.1")) == "192.0.2.5")
        #expect(resolve(h, trusted: acl("127.0.0.1", "192.0.2.5")) == "192.0.2.4")
    }

    @Test func repeatedHeadersAreJoined() {
        let h: HTTPHeaders = ["X-Forwarded-For": "192.0.2.4, 192.0.2.5", "X-Foo": "bar", "x-forwarded-for": "192.0.2.10"]
        #expect(resolve(h, trusted: acl("127.0.0.1")) == "192.0.2.10")
        #expect(resolve(h, trusted: acl("127.0.0.1", "192.0.2.10")) == "192.0.2.5")
    }

    @Test func combinedHeaderIsReadOnce() {
        // With CombineHeaders Pound has already merged the lines; only the first is read.
        let h: HTTPHeaders = ["X-Forwarded-For": "192.0.2.4, 192.0.2.5, 192.0.2.10"]
        #expect(resolve(h, combinable: true, trusted: acl("127.0.0.1", "192.0.2.10")) == "192.0.2.5")
        let two: HTTPHeaders = ["X-Forwarded-For": "192.0.2.4", "X-Forwarded-For ": "x"]
        #expect(resolve(two, combinable: true, trusted: acl()) == "192.0.2.4")
    }

    @Test func alternativeHeaderName() {
        let h: HTTPHeaders = ["X-My-Forwarded-For": "192.0.2.4, 192.0.2.5", "X-Forwarded-For": "198.51.100.1"]
        #expect(resolve(h, name: "x-my-forwarded-for", trusted: acl("127.0.0.1")) == "192.0.2.5")
    }

    @Test func fallsBackToThePeer() {
        let h: HTTPHeaders = ["X-Forwarded-For": "192.0.2.4"]
        #expect(resolve(h, trusted: nil) == nil)
        #expect(resolve(["Host": "x"], trusted: acl("127.0.0.1")) == nil)
        #expect(resolve(h, trusted: acl("192.0.2.4")) == nil)
        #expect(resolve(["X-Forwarded-For": "192.0.2.4, bogus"], trusted: acl()) == nil)
        #expect(resolve(["X-Forwarded-For": "192.0.2.4,"], trusted: acl()) == nil)
    }

    @Test func addressesAreNormalised() {
        #expect(resolve(["X-Forwarded-For": "  2001:DB8:0::1  "], trusted: acl()) == "2001:db8::1")
        #expect(resolve(["X-Forwarded-For": "::ffff:192.0.2.1"], trusted: acl()) == "192.0.2.1")
    }
}
