import HTTPWire
import PounceModuleAPI

/// A request as session modules see it: the head as the client sent it and the
/// client's address (IPv4-mapped addresses shown as IPv4, as Pound's IP type keys).
struct ModuleRequestView: ModuleRequest {
    let head: HTTPRequestHead
    let client: ClientAddress

    var method: String { head.method }
    var uri: String { head.uri }
    var clientAddress: String { client.normalizedText }
    func header(_ name: String) -> String? { head.headers.first(name) }
    func headers(_ name: String) -> [String] { head.headers.values(name) }
}
