import HTTPWire
import PounceModuleAPI

/// A backend's response head as session modules see it.
struct ModuleResponseView: ModuleResponse {
    let head: HTTPResponseHead

    var status: Int { head.status }
    func headers(_ name: String) -> [String] { head.headers.values(name) }
}
