import Testing
@testable import ProxyCore

/// The listener check skips a listener whose (floating) address is not on this host.
@Suite struct LocalAddressesTests {
    @Test func loopbackIsLocalAndDocumentationAddressesAreNot() {
        #expect(LocalAddresses.isLocal("127.0.0.1"))
        #expect(!LocalAddresses.isLocal("192.0.2.77"))
        #expect(!LocalAddresses.isLocal("2001:db8::77"))
        #expect(!LocalAddresses.isLocal("not an address"))
    }
}
