import PoundConfig

/// What the request log says about a service or a backend (`%{obj}N`, `%{obj}L`).
/// Created once per configuration object and shared by every record that refers to it.
public final class RequestLogObject: Sendable {
    /// `%{service}N`: the service name (nil prints `-`, as for an unnamed service).
    /// `%{backend}N`: see `backendName(_:address:)`.
    public let name: String?
    /// `%{obj}L`: the object's span in the configuration.
    public let location: String

    public init(name: String?, location: String) {
        self.name = name
        self.location = location
    }

    public convenience init(name: String?, range: LocusRange) {
        self.init(name: name, location: range.description)
    }

    /// A service as the log shows it.
    public convenience init(service: Service) {
        self.init(name: service.name, range: service.range)
    }

    /// A backend as the log shows it. `address` is the resolved address of a server
    /// backend as Pound prints it (`IP:PORT`, `[IPv6]:PORT`, or a UNIX socket path).
    public convenience init(backend: Backend, address: String?) {
        self.init(name: Self.backendName(backend.kind, address: address), range: backend.range)
    }

    /// Pound's `str_be`: a server backend prints its resolved address; special backends
    /// print their type, with the redirect URL (`redirect:URL`), the status
    /// (`error:503`, `error:503:text` with a custom page) or the Lua function (`lua:NAME`).
    /// A server backend with no resolved address falls back to `host:port` as written.
    public static func backendName(_ kind: Backend.Kind, address: String?) -> String {
        guard case .regular(let server) = kind else { return kind.specialName ?? "" }
        if let address { return address }
        switch server.address {
        case .inet(let host, let port)?, .dynamic(let host, let port, _)?:
            return "\(host):\(port)"
        case .unix(let path)?:
            return path
        case nil:
            return "\(server.host ?? "-"):\(server.effectivePort)"
        }
    }

    /// The name Pound gives the backend of an implicit `ACME` service.
    public static let acmeBackendName = "acme"
}
