/// What a session module sees of a request. Pounce passes a view of its own request;
/// the values are those the client sent (before `SetHeader`/`Rewrite` rules run, so
/// affinity follows the client's request, as in Pound).
public protocol ModuleRequest {
    var method: String { get }
    /// The request target: path and query, as sent (`/a/b;x?ID=1`).
    var uri: String { get }
    /// The client's address as text (IPv4, IPv6, or a UNIX socket path).
    var clientAddress: String { get }
    /// The first value of header `name` (case-insensitive), nil if absent.
    func header(_ name: String) -> String?
    /// Every value of header `name` (case-insensitive), in order (API version 2).
    func headers(_ name: String) -> [String]
}
