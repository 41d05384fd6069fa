/// What the router handler needs from the system, so that the handler can be tested against a
/// recording host on an `EmbeddedChannel`. Called on the router's event loop only.
public protocol VRRPHost: AnyObject {
    func addVirtualAddresses(_ addresses: [VRRPVirtualAddress])
    func removeVirtualAddresses(_ addresses: [VRRPVirtualAddress])
    /// One gratuitous ARP request per address (sender = target = the address, broadcast).
    func sendGratuitousARP(for addresses: [VRRPVirtualAddress])
    /// A whole IPv4 packet (IP_HDRINCL) built by the handler, to `destination`.
    func sendAdvertisement(_ packet: [UInt8], to destination: IPv4Address)
}
