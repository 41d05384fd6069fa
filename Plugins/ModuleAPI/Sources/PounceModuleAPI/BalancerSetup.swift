/// The backends of one balancer group, in configuration order.
public struct BalancerSetup: Sendable {
    public struct Backend: Sendable, Hashable {
        /// `ADDRESS:PORT` (`[v6]:PORT` for IPv6) or the UNIX socket path: the same
        /// text on every Pounce node with the same configuration, so hashing it gives
        /// the same answer everywhere.
        public let address: String
        /// `Priority` (Pound's weight), 1 unless configured.
        public let weight: Int

        public init(address: String, weight: Int) {
            self.address = address
            self.weight = weight
        }
    }

    /// The `Balancer` name that selected the module, as written.
    public let name: String
    public let backends: [Backend]

    public init(name: String, backends: [Backend]) {
        self.name = name
        self.backends = backends
    }
}
