/// RFC 5798 §6.4 states, plus keepalived's FAULT (a tracked check with weight 0 is failing).
public enum VRRPState: String, Sendable, Hashable {
    case initialize = "INIT"
    case backup = "BACKUP"
    case master = "MASTER"
    case fault = "FAULT"
}

public enum VRRPTimer: Sendable, Hashable {
    case masterDown
    case advert
}

public enum VRRPEvent: Sendable, Hashable {
    case start
    /// An advertisement for our VRID that passed the packet checks (TTL, checksum, auth).
    /// `maxAdvertInterval` is in the version's own unit (v2 seconds, v3 centiseconds).
    case advertReceived(priority: UInt8, maxAdvertInterval: UInt16, sourceAddress: IPv4Address)
    case timerFired(VRRPTimer)
    /// The effective priority after tracking weights.
    case priorityChanged(UInt8)
    case shutdown
    case fault
    case faultCleared
}

public enum VRRPAction: Sendable, Hashable {
    /// Send an advertisement with this priority (0 = the master is giving up).
    case sendAdvertisement(priority: UInt8)
    case addVirtualAddresses
    case removeVirtualAddresses
    /// One burst of gratuitous ARP for every virtual address; repeats and the delayed second burst
    /// (keepalived's garp_master_repeat/garp_master_delay) are the driver's.
    case sendGratuitousARP
    /// (Re)arm a timer; a deadline replaces any earlier one for the same timer.
    case startTimer(VRRPTimer, deadline: VRRPInstant)
    case cancelTimer(VRRPTimer)
    case stateChanged(from: VRRPState, to: VRRPState)
}

public struct VRRPConfiguration: Sendable, Hashable {
    public var version: VRRPVersion
    public var virtualRouterID: UInt8
    /// Base priority, 1...255; 255 means this node owns the addresses.
    public var priority: UInt8
    /// In the version's own unit: v2 whole seconds, v3 centiseconds.
    public var advertInterval: UInt16
    public var preempt: Bool
    /// keepalived's preempt_delay: after entering Backup, lower-priority masters are tolerated
    /// this long before we let the Master_Down timer run out on them.
    public var preemptDelay: VRRPDuration
    /// The address adverts are sent from; ties on priority go to the higher one.
    public var primaryAddress: IPv4Address

    public init(
        version: VRRPVersion, virtualRouterID: UInt8, priority: UInt8, advertInterval: UInt16,
        preempt: Bool = true, preemptDelay: VRRPDuration = .zero, primaryAddress: IPv4Address
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertInterval = advertInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.primaryAddress = primaryAddress
    }
}
