/// A C module's `create` refused a `Session` block or a balancer group; thrown by the
/// registry's maker, so routing reports it where the block is configured.
public struct ModuleInstanceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case sessionType = "session type"
        case balancer = "balancer"
    }

    /// The library that holds the type.
    public let module: String
    public let kind: Kind
    /// The type's name as the module registered it.
    public let type: String
    /// What the module wrote into its error buffer.
    public let message: String

    public var description: String {
        "\(module): \(kind.rawValue) \"\(type)\": \(message)"
    }
}
