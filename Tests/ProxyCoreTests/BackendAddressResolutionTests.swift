import NIOCore
import Testing
import PoundConfig
@testable import ProxyCore

/// A server backend's `Family` restricts the addresses its `Address` resolves to.
@Suite struct BackendAddressResolutionTests {
    @Test func familyPicksTheAddressKind() throws {
        let v4 = try BackendAddressResolution.socketAddress(host: "127.0.0.1", port: 8080, family: .inet)
        #expect(v4.protocol == .inet)
        #expect(v4.port == 8080)
        let v6 = try BackendAddressResolution.socketAddress(host: "::1", port: 8081, family: .inet6)
        #expect(v6.protocol == .inet6)
        #expect(v6.port == 8081)
        let any = try BackendAddressResolution.socketAddress(host: "127.0.0.1", port: 80, family: .any)
        #expect(any.protocol == .inet)
    }

    @Test func anAddressOfAnotherFamilyDoesNotResolve() {
        #expect(throws: SocketAddressError.self) {
            _ = try BackendAddressResolution.socketAddress(host: "127.0.0.1", port: 80, family: .inet6)
        }
    }
}
