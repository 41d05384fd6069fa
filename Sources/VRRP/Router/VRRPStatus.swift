/// A snapshot of one instance for the control API and the logs.
public struct VRRPStatus: Sendable, Hashable {
    public var name: String
    public var interface: String
    public var virtualRouterID: UInt8
    public var version: VRRPVersion
    public var state: VRRPState
    public var basePriority: UInt8
    public var effectivePriority: UInt8
    /// Who we believe is master (ourselves when master); nil when unknown.
    public var masterAddress: IPv4Address?
    public var virtualAddresses: [VRRPVirtualAddress]
    public var holdsAddresses: Bool
    /// Wall clock, seconds since the epoch; 0 before the first transition.
    public var lastTransition: Double
    public var transitions: Int
    public var advertsSent: Int
    public var advertsReceived: Int
    public var packetsDiscarded: Int

    public init(settings: VRRPRouterSettings) {
        name = settings.name
        interface = settings.interface
        virtualRouterID = settings.virtualRouterID
        version = settings.version
        state = .initialize
        basePriority = settings.priority
        effectivePriority = settings.priority
        masterAddress = nil
        virtualAddresses = settings.virtualAddresses
        holdsAddresses = false
        lastTransition = 0
        transitions = 0
        advertsSent = 0
        advertsReceived = 0
        packetsDiscarded = 0
    }
}
