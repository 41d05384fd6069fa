/// A `VRRP` block (a Pounce extension): one virtual router that holds floating addresses for this
/// proxy, with keepalived's knobs under Pound-style names. Values stay as written (addresses as
/// dotted quads, intervals in the version's unit); the VRRP module turns them into its own types.
public struct VRRPInstance: Sendable, Hashable {
    /// The instance's name in logs, notify hooks and the control API (keepalived's `vrrp_instance`).
    public var name: String
    public var interface: String?
    public var virtualRouterID: Int?
    /// Base priority; 255 means this node owns the addresses.
    public var priority = 100
    public var version = 2
    /// In the version's unit: whole seconds for v2, centiseconds for v3. nil: one second.
    public var advertInterval: Int?
    public var virtualAddresses: [VRRPAddress] = []
    public var preempt = true
    /// Seconds a fresh backup tolerates a lower-priority master (keepalived's preempt_delay).
    public var preemptDelay = 0
    /// Unicast peers; empty means multicast to 224.0.0.18.
    public var unicastPeers: [String] = []
    public var unicastSource: String?
    public var authentication: VRRPAuthenticationSetting = .none
    /// keepalived's use_vmac: adverts and ARP answers from 00:00:5e:00:01:VRID.
    public var virtualMAC = false
    /// keepalived's garp_master_repeat and garp_master_delay (seconds; 0: no second burst).
    public var garpRepeat = 5
    public var garpDelay = 5
    public var notify = VRRPNotifyHooks()
    public var tracks: [VRRPTrack] = []
    public var range: LocusRange = .unset

    public init(name: String) {
        self.name = name
    }

    /// The advertisement interval in the version's unit.
    public var effectiveAdvertInterval: Int {
        advertInterval ?? (version == 3 ? 100 : 1)
    }
}

/// `VirtualAddress "10.0.0.5/24"`: an IPv4 address and its prefix (32 when omitted).
public struct VRRPAddress: Sendable, Hashable {
    public var octets: [UInt8]
    public var prefixLength: Int

    public init(octets: [UInt8], prefixLength: Int) {
        self.octets = octets
        self.prefixLength = prefixLength
    }

    public var addressText: String { octets.map(String.init).joined(separator: ".") }
}

/// VRRPv2 authentication; RFC 3768 dropped it, but keepalived peers from old tutorials use it.
public enum VRRPAuthenticationSetting: Sendable, Hashable {
    case none
    case password(String)
    case ah(String)
}

/// keepalived's notify hooks: `Notify` gets "INSTANCE name STATE priority" as arguments; the others
/// run on entering their state.
public struct VRRPNotifyHooks: Sendable, Hashable {
    public var any: String?
    public var master: String?
    public var backup: String?
    public var fault: String?
    public var stop: String?
    public init() {}
}

/// `Track ...`: one health signal of this proxy and what it does to the priority, with
/// keepalived's weight rules: > 0 is added while healthy, < 0 subtracted while failing, 0 puts the
/// instance in FAULT while failing.
public struct VRRPTrack: Sendable, Hashable {
    public enum Signal: Sendable, Hashable {
        /// A listener, by name or by its index in the file, accepts connections (self connect).
        case listener(String)
        /// Every event loop runs a task within this many milliseconds.
        case loopLag(milliseconds: Int)
        /// At least this many backends of the named service are alive.
        case backends(service: String, minimum: Int)
        /// Healthy while the file exists.
        case file(String)
        /// Healthy while the command exits 0 (run by /bin/sh -c).
        case script(String)
    }

    public var signal: Signal
    public var weight = 0
    /// Seconds between checks.
    public var interval = 2
    /// Seconds a check may take (script, self connect, loop task) before it counts as failed.
    public var timeout = 2
    /// Consecutive failures before the signal counts as failing, and successes before it recovers.
    public var fall = 1
    public var rise = 1
    public var range: LocusRange = .unset

    public init(signal: Signal) {
        self.signal = signal
    }
}
