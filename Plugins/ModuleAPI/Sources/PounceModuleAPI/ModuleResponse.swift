/// What a session module sees of a backend's response, to learn a session from it
/// (Pound's COOKIE type learns from `Set-Cookie`, HEADER from its header).
public protocol ModuleResponse {
    var status: Int { get }
    /// Every value of header `name` (case-insensitive), in order.
    func headers(_ name: String) -> [String]
}
