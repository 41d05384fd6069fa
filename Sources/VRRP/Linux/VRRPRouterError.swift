#if canImport(Glibc)
import Glibc
#endif

/// Why `VRRPRouter.start()` (or one of its system calls) failed, worded for an operator.
public enum VRRPRouterError: Error, Sendable, Hashable, CustomStringConvertible {
    case noSuchInterface(String)
    case noIPv4Address(String)
    /// Raw, packet and netlink sockets need CAP_NET_RAW / CAP_NET_ADMIN.
    case permissionDenied(operation: String)
    case system(operation: String, errno: Int32)
    case alreadyStarted

    public var description: String {
        switch self {
        case .noSuchInterface(let name): "no such interface: \(name)"
        case .noIPv4Address(let name): "interface \(name) has no IPv4 address"
        case .permissionDenied(let operation): "\(operation): permission denied (VRRP needs root or CAP_NET_RAW and CAP_NET_ADMIN)"
        case .system(let operation, let code): "\(operation): \(String(cString: strerror(code)))"
        case .alreadyStarted: "the VRRP router is already started"
        }
    }

    static func fromErrno(_ operation: String, _ code: Int32) -> VRRPRouterError {
        code == EPERM || code == EACCES ? .permissionDenied(operation: operation) : .system(operation: operation, errno: code)
    }
}
