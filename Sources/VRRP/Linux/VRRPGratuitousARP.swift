/// keepalived's gratuitous ARP: a broadcast ARP *request* with sender = target = the address and
/// target hardware ff:ff:ff:ff:ff:ff (observed from keepalived 2.2.7), 42 bytes, no padding.
public enum VRRPGratuitousARP {
    public static let broadcast: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]

    public static func frame(for address: IPv4Address, senderHardwareAddress mac: [UInt8]) -> [UInt8] {
        var out = broadcast
        out += mac
        out += [0x08, 0x06]                 // ethertype ARP
        out += [0x00, 0x01, 0x08, 0x00]     // Ethernet, IPv4
        out += [6, 4, 0x00, 0x01]           // lengths, op = request
        out += mac
        out += address.bytes
        out += broadcast
        out += address.bytes
        return out
    }
}
