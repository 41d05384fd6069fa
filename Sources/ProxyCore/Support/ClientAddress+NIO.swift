import NIOCore
import Routing

extension ClientAddress {
    /// The peer of a client connection, in Pound's numeric form.
    init(_ address: SocketAddress?) {
        guard let address else {
            self.init(text: "", bytes: [], port: 0)
            return
        }
        switch address {
        case .v4(let a):
            let raw = a.address.sin_addr.s_addr.bigEndian
            let bytes = [UInt8(truncatingIfNeeded: raw >> 24), UInt8(truncatingIfNeeded: raw >> 16),
                         UInt8(truncatingIfNeeded: raw >> 8), UInt8(truncatingIfNeeded: raw)]
            self.init(text: address.ipAddress ?? "", bytes: bytes, port: address.port ?? 0)
        case .v6(let a):
            var addr = a.address.sin6_addr
            let bytes = withUnsafeBytes(of: &addr) { Array($0) }
            self.init(text: address.ipAddress ?? "", bytes: bytes, port: address.port ?? 0)
        case .unixDomainSocket:
            self.init(text: "localhost", bytes: [], port: 0)
        }
    }
}
