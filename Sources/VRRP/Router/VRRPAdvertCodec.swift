/// Why a received packet was dropped before the state machine saw it. Each reason is logged at
/// most once per 10 s, so a misconfigured peer cannot flood the log.
public enum VRRPDiscardReason: String, Sendable, Hashable, CaseIterable {
    case malformed = "malformed packet"
    case timeToLive = "TTL != 255"
    case version = "wrong version"
    case checksum = "bad checksum"
    case authentication = "auth mismatch"
    case interval = "advert interval mismatch"
}

/// The packet side of one instance: builds our adverts as whole IPv4 packets (keepalived's TOS,
/// TTL, IP id and AH sequence) and applies the receive checks that precede the state machine.
struct VRRPAdvertCodec {
    enum Verdict: Equatable {
        case accepted(VRRPPacket, source: IPv4Address, addressListMatches: Bool)
        /// Another VRID, or our own packet: dropped without a word (RFC 5798 §7.1 for the VRID).
        case ignored
        case discarded(VRRPDiscardReason, source: IPv4Address?)
    }

    let settings: VRRPRouterSettings
    let source: IPv4Address
    /// keepalived numbers its IP ids from 1; so does the AH sequence.
    private(set) var identification: UInt16 = 0
    private(set) var authenticationSequence: UInt32 = 0

    init(settings: VRRPRouterSettings, source: IPv4Address) {
        self.settings = settings
        self.source = source
    }

    var destinations: [IPv4Address] {
        settings.unicastPeers.isEmpty ? [.vrrpMulticast] : settings.unicastPeers
    }

    private var wireAuthentication: VRRPAuthentication {
        guard settings.version == .v2 else { return .none }
        switch settings.authentication {
        case .none: return .none
        case .password(let password): return .simple(password: password)
        // keepalived sends zeros in the auth data; the AH header carries the real check.
        case .ah: return .ipAuthenticationHeader(data: [UInt8](repeating: 0, count: 8))
        }
    }

    /// One packet per destination (the group, or each unicast peer: the v3 pseudo-header and the
    /// unicast AH ICV depend on it).
    mutating func adverts(priority: UInt8) -> [(destination: IPv4Address, packet: [UInt8])] {
        let message = VRRPPacket(
            version: settings.version, virtualRouterID: settings.virtualRouterID, priority: priority,
            advertInterval: settings.advertInterval, addresses: settings.virtualAddresses.map(\.address),
            authentication: wireAuthentication)
        var out: [(destination: IPv4Address, packet: [UInt8])] = []
        for destination in destinations {
            identification &+= 1
            if identification == 0 { identification = 1 }
            var ah: VRRPDatagram.AHParameters?
            if settings.version == .v2, case .ah(let password) = settings.authentication {
                authenticationSequence &+= 1
                ah = VRRPDatagram.AHParameters(
                    spi: source.value, sequence: authenticationSequence, password: password,
                    unicast: destination != .vrrpMulticast)
            }
            let packet = VRRPDatagram.encode(
                vrrp: message.encode(source: source, destination: destination), source: source,
                destination: destination, identification: identification, authentication: ah)
            out.append((destination, packet))
        }
        return out
    }

    /// The receive checks, in keepalived's spirit: other VRIDs and our own packets are ignored
    /// silently; TTL, version, checksum, authentication and (v2) the interval discard with a reason.
    func check(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        let datagram: VRRPDatagram
        do {
            datagram = try VRRPDatagram.parse(bytes)
        } catch {
            return .discarded(.malformed, source: nil)
        }
        let range = datagram.vrrpRange
        guard range.count >= 8 else { return .discarded(.malformed, source: datagram.source) }
        guard bytes[range.lowerBound + 1] == settings.virtualRouterID else { return .ignored }
        if datagram.source == source { return .ignored }
        guard datagram.timeToLive == 255 else { return .discarded(.timeToLive, source: datagram.source) }
        guard bytes[range.lowerBound] >> 4 == settings.version.rawValue else {
            return .discarded(.version, source: datagram.source)
        }
        let packet: VRRPPacket
        do {
            packet = try VRRPPacket.decode(
                UnsafeRawBufferPointer(rebasing: bytes[range]), source: datagram.source,
                destination: datagram.destination)
        } catch {
            if case .badChecksum = error { return .discarded(.checksum, source: datagram.source) }
            return .discarded(.malformed, source: datagram.source)
        }
        if settings.version == .v2 {
            guard authenticates(packet, datagram: datagram, bytes: bytes) else {
                return .discarded(.authentication, source: datagram.source)
            }
            // RFC 3768 §7.1: a v2 advert with another interval is discarded.
            guard packet.advertInterval == settings.advertInterval else {
                return .discarded(.interval, source: datagram.source)
            }
        }
        let ours = Set(settings.virtualAddresses.map(\.address))
        return .accepted(
            packet, source: datagram.source,
            addressListMatches: Set(packet.addresses) == ours && packet.addresses.count == ours.count)
    }

    private func authenticates(_ packet: VRRPPacket, datagram: VRRPDatagram, bytes: UnsafeRawBufferPointer) -> Bool {
        switch settings.authentication {
        case .none:
            return packet.authentication.type == 0 && datagram.authenticationHeader == nil
        case .password(let password):
            guard datagram.authenticationHeader == nil, case .simple = packet.authentication else { return false }
            return packet.authentication.wireData == VRRPAuthentication.simple(password: password).wireData
        case .ah(let password):
            guard let header = datagram.authenticationHeader, packet.authentication.type == 2 else { return false }
            let total = Int(bytes[2]) << 8 | Int(bytes[3])
            let icv = VRRPAuthenticationHeader.keepalivedICV(
                packet: Array(bytes[0..<total]), password: password,
                zeroTimeToLive: datagram.destination != .vrrpMulticast)
            return !icv.isEmpty && icv == header.icv
        }
    }
}
