import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
@testable import VRRP

/// What the handler asked the system to do, in order.
enum HostCall: Equatable {
    case add([VRRPVirtualAddress])
    case remove([VRRPVirtualAddress])
    case garp([VRRPVirtualAddress])
    case advert([UInt8], IPv4Address)
}

final class RecordingHost: VRRPHost {
    var calls: [HostCall] = []

    func addVirtualAddresses(_ addresses: [VRRPVirtualAddress]) { calls.append(.add(addresses)) }
    func removeVirtualAddresses(_ addresses: [VRRPVirtualAddress]) { calls.append(.remove(addresses)) }
    func sendGratuitousARP(for addresses: [VRRPVirtualAddress]) { calls.append(.garp(addresses)) }
    func sendAdvertisement(_ packet: [UInt8], to destination: IPv4Address) { calls.append(.advert(packet, destination)) }

    var adverts: [[UInt8]] {
        calls.compactMap { if case .advert(let bytes, _) = $0 { bytes } else { nil } }
    }

    /// The priority byte of each advert (after a 20-byte IP header, or 44 with AH).
    var advertPriorities: [UInt8] {
        adverts.map { $0[9] == ipProtocolAH ? $0[46] : $0[22] }
    }

    var garpCount: Int {
        calls.filter { if case .garp = $0 { true } else { false } }.count
    }
}

final class LogLines: Sendable {
    private let box = NIOLockedValueBox<[(Bool, String)]>([])
    var lines: [String] { box.withLockedValue { $0.map(\.1) } }
    var errors: [String] { box.withLockedValue { $0.filter(\.0).map(\.1) } }
    func append(_ isError: Bool, _ line: String) { box.withLockedValue { $0.append((isError, line)) } }
    func count(containing text: String) -> Int { lines.filter { $0.contains(text) }.count }
}

let rigVIP = VRRPVirtualAddress(address: IPv4Address(10, 213, 0, 99), prefixLength: 32)
let rigLB1 = IPv4Address(10, 213, 0, 11)
let rigLB2 = IPv4Address(10, 213, 0, 12)

func rigSettings(
    _ version: VRRPVersion = .v3, priority: UInt8 = 103, preempt: Bool = true,
    authentication: VRRPAuthSetting = .none, unicastPeers: [IPv4Address] = []
) -> VRRPRouterSettings {
    VRRPRouterSettings(
        name: "VI_1", interface: "eth0", version: version, virtualRouterID: 51, priority: priority,
        preempt: preempt, virtualAddresses: [rigVIP], unicastPeers: unicastPeers,
        authentication: authentication)
}

/// A handler on an EmbeddedChannel with a recording host: the pure test rig for the router.
struct HandlerRig {
    let channel: EmbeddedChannel
    let host = RecordingHost()
    let log = LogLines()
    let transitions = NIOLockedValueBox<[VRRPState]>([])
    let handler: VRRPRouterHandler

    init(_ settings: VRRPRouterSettings, source: IPv4Address = rigLB1) throws {
        let log = self.log
        let transitions = self.transitions
        handler = VRRPRouterHandler(
            settings: settings, sourceAddress: source, host: host, log: { log.append($0, $1) },
            onTransition: { state, _ in transitions.withLockedValue { $0.append(state) } })
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    func command(_ command: VRRPRouterCommand) {
        channel.pipeline.fireUserInboundEventTriggered(command)
    }

    func advance(milliseconds: Int64) {
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(milliseconds))
    }

    func receive(_ packet: [UInt8], from source: IPv4Address = rigLB2) throws {
        let address = try SocketAddress(ipAddress: source.description, port: 0)
        try channel.writeInbound(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: packet)))
    }

    /// Start, then let Master_Down run out: the handler is master.
    func becomeMaster() {
        command(.start)
        advance(milliseconds: 4_000)
    }
}

/// An advert as a peer would send it, built by the same codec the handler uses.
func peerAdvert(
    _ settings: VRRPRouterSettings, from source: IPv4Address = rigLB2, priority: UInt8
) -> [UInt8] {
    var codec = VRRPAdvertCodec(settings: settings, source: source)
    return codec.adverts(priority: priority)[0].packet
}
