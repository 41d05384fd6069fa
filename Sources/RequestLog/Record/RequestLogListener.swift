import PoundConfig

/// What the request log says about a listener. Created once per listener, once its
/// socket address is known (after binding or receiving it through `SocketFrom`).
public final class RequestLogListener: Sendable {
    /// `%{listener}N`: `ListenHTTP "name"`; nil prints `-`.
    public let name: String?
    /// `%{listener}L`: the section's span in the configuration (`FILE:LINE.COL-LINE.COL`).
    public let location: String
    /// `%A`, and `%v` without a Host header: the local address without port, as Pound's
    /// `addr2str(..., no_port)` prints it (IPv6 without brackets, IPv4-mapped as IPv4,
    /// the path of a UNIX socket).
    public let address: String
    /// `%p`: the local port; nil (a UNIX socket) prints `-`.
    public let port: String?

    public init(name: String?, location: String, address: String, port: String?) {
        self.name = name
        self.location = location
        self.address = address
        self.port = port
    }

    public convenience init(name: String?, range: LocusRange, address: String, port: Int?) {
        self.init(name: name, location: range.description, address: address, port: port.map(String.init))
    }
}
