import PoundConfig

/// The registry names of what a configuration selects: Pound's session types and
/// balancers are built-in modules under their keywords; quoted names select loaded ones.
enum ModuleNames {
    static func session(_ type: SessionType) -> String {
        switch type {
        case .ip: "IP"
        case .basic: "BASIC"
        case .url: "URL"
        case .parameter: "PARM"
        case .cookie: "COOKIE"
        case .header: "HEADER"
        case .module(let name): name
        }
    }

    static func balancer(_ algorithm: BalancerAlgorithm) -> String {
        switch algorithm {
        case .random: "random"
        case .iwrr: "iwrr"
        case .module(let name): name
        }
    }
}
