import PoundConfig

/// Why a routing table could not be built from a (valid) configuration.
public enum RoutingBuildError: Error, Equatable, CustomStringConvertible {
    /// `Balancer "name"` names a balancer no built-in or loaded module provides.
    case balancerModuleUnavailable(name: String, range: LocusRange)
    /// `Session Type "name"` names a session type no built-in or loaded module provides.
    case sessionModuleUnavailable(name: String, range: LocusRange)
    /// A balancer factory refused a group.
    case balancerRejected(name: String, reason: String, range: LocusRange)
    /// A session module refused its `Session` block.
    case sessionModuleRejected(name: String, reason: String, range: LocusRange)

    public var description: String {
        switch self {
        case .balancerModuleUnavailable(let name, let range):
            "\(Self.prefix(range))balancer module \"\(name)\" not available"
        case .sessionModuleUnavailable(let name, let range):
            "\(Self.prefix(range))session module \"\(name)\" not available"
        case .balancerRejected(let name, let reason, let range):
            "\(Self.prefix(range))balancer \"\(name)\": \(reason)"
        case .sessionModuleRejected(let name, let reason, let range):
            "\(Self.prefix(range))session type \"\(name)\": \(reason)"
        }
    }

    private static func prefix(_ range: LocusRange) -> String {
        range.begin.isSet ? "\(range): " : ""
    }
}
