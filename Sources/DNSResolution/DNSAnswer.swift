/// What a lookup found, in the terms Pound's dynamic backends act on.
public struct DNSAnswer: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// A or AAAA records, as numeric text, in the server's order.
        case addresses([String])
        /// SRV records, in the server's order.
        case services([ServiceRecord])
        /// NXDOMAIN, or no record of the type: the name's backends go.
        case notFound
        /// No usable answer now (timeout, refused, server failure): keep the last set.
        case temporaryFailure(String)
        /// The lookup could not be made (a bad name, the resolver shut down).
        case failure(String)
    }

    public let outcome: Outcome
    /// Seconds until the answer expires: the smallest TTL among its records.
    public let ttl: UInt32

    public init(_ outcome: Outcome, ttl: UInt32 = 0) {
        self.outcome = outcome
        self.ttl = ttl
    }
}

/// One SRV record (RFC 2782).
public struct ServiceRecord: Sendable, Equatable {
    public let priority: UInt16
    public let weight: UInt16
    public let port: UInt16
    public let target: String

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// The record types dynamic backends ask for.
public enum DNSRecordType: Int32, Sendable {
    case a = 1
    case aaaa = 28
    case srv = 33
}
