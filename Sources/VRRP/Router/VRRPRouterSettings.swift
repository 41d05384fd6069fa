/// One virtual address with the prefix it is added with (keepalived's `10.0.0.1/24`; /32 by default).
public struct VRRPVirtualAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: UInt8

    public init(address: IPv4Address, prefixLength: UInt8 = 32) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// v2 authentication as keepalived offers it (`auth_type PASS|AH`, `auth_pass`); v3 has none.
public enum VRRPAuthSetting: Sendable, Hashable {
    case none
    case password([UInt8])
    case ah([UInt8])
}

/// Everything one VRRP instance needs; the fields follow keepalived's `vrrp_instance` block.
public struct VRRPRouterSettings: Sendable, Hashable {
    /// The instance name, e.g. "VI_1", used in log lines.
    public var name: String
    public var interface: String
    public var version: VRRPVersion
    public var virtualRouterID: UInt8
    /// Base priority 1...255.
    public var priority: UInt8
    /// In the version's unit: v2 seconds, v3 centiseconds.
    public var advertInterval: UInt16
    public var preempt: Bool
    public var preemptDelay: VRRPDuration
    public var virtualAddresses: [VRRPVirtualAddress]
    /// Empty = multicast to 224.0.0.18.
    public var unicastPeers: [IPv4Address]
    /// nil = the interface's first IPv4 address.
    public var sourceAddress: IPv4Address?
    public var authentication: VRRPAuthSetting
    /// keepalived's use_vmac: speak through a macvlan `vrrp.<VRID>` with MAC 00:00:5e:00:01:<VRID>
    /// (see `VRRPVirtualMAC`).
    public var useVirtualMAC: Bool
    /// keepalived's garp_master_repeat: GARPs per burst.
    public var garpRepeat: Int
    /// keepalived's garp_master_delay: when the second burst goes out; `.zero` = no second burst.
    public var garpDelay: VRRPDuration

    /// `advertInterval` nil means one second in the version's unit (1 for v2, 100 for v3).
    public init(
        name: String = "VI_1", interface: String, version: VRRPVersion = .v2, virtualRouterID: UInt8,
        priority: UInt8 = 100, advertInterval: UInt16? = nil, preempt: Bool = true,
        preemptDelay: VRRPDuration = .zero, virtualAddresses: [VRRPVirtualAddress],
        unicastPeers: [IPv4Address] = [], sourceAddress: IPv4Address? = nil,
        authentication: VRRPAuthSetting = .none, useVirtualMAC: Bool = false, garpRepeat: Int = 5,
        garpDelay: VRRPDuration = .seconds(5)
    ) {
        self.name = name
        self.interface = interface
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertInterval = advertInterval ?? (version == .v2 ? 1 : 100)
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.virtualAddresses = virtualAddresses
        self.unicastPeers = unicastPeers
        self.sourceAddress = sourceAddress
        self.authentication = authentication
        self.useVirtualMAC = useVirtualMAC
        self.garpRepeat = garpRepeat
        self.garpDelay = garpDelay
    }
}
