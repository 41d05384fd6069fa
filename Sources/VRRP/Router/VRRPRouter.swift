import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One VRRP instance on its own one-thread event loop, so a busy proxy cannot delay adverts.
/// The protocol lives in `VRRPStateMachine`, driven by `VRRPRouterHandler` on a NIO datagram
/// channel over a raw protocol-112 socket (plus one for protocol 51 when AH is configured).
public final class VRRPRouter: Sendable {
    public typealias Log = @Sendable (_ isError: Bool, _ message: String) -> Void
    public typealias Transition = @Sendable (_ state: VRRPState, _ priority: UInt8) -> Void

    private struct Running: Sendable {
        let group: MultiThreadedEventLoopGroup
        let channel: Channel
        let authenticationChannel: Channel?
        let resources: VRRPLinuxResources
    }

    private enum Phase: Sendable {
        case idle
        case running(Running)
        case stopped
    }

    public let settings: VRRPRouterSettings
    private let log: Log
    private let onTransition: Transition
    private let phase = NIOLockedValueBox(Phase.idle)
    private let statusBox: NIOLockedValueBox<VRRPStatus>
    /// Tracking reported before `start()`, applied before the machine starts.
    private let pendingTracking = NIOLockedValueBox<(priority: UInt8, fault: Bool)?>(nil)

    public init(
        settings: VRRPRouterSettings,
        log: @escaping @Sendable (_ isError: Bool, _ message: String) -> Void,
        onTransition: @escaping @Sendable (_ state: VRRPState, _ priority: UInt8) -> Void
    ) {
        self.settings = settings
        self.log = log
        self.onTransition = onTransition
        statusBox = NIOLockedValueBox(VRRPStatus(settings: settings))
    }

    public var status: VRRPStatus {
        statusBox.withLockedValue { $0 }
    }

    private var prefix: String { "VRRP_Instance(\(settings.name))" }

    /// Opens the sockets, resolves the interface, removes stale VIPs left by an earlier run, creates
    /// the macvlan with `useVirtualMAC`, starts the loop and the state machine. Throws
    /// `VRRPRouterError`.
    public func start() throws {
        try phase.withLockedValue { phase in
            guard case .idle = phase else { throw VRRPRouterError.alreadyStarted }
            phase = .running(try launch())
        }
    }

    private func launch() throws -> Running {
        let base = try VRRPLinuxInterface.resolve(settings.interface)
        var netlink = try VRRPNetlink()
        var opened: [Int32] = []
        var resources: VRRPLinuxResources?
        var virtualMAC: VRRPVirtualMAC?
        let prefix = self.prefix
        let log = self.log
        do {
            // keepalived removes what a killed predecessor left behind before anything else. With a
            // virtual MAC the VIPs live on the macvlan, which is created afresh below.
            var removed: [VRRPVirtualAddress] = []
            for address in settings.virtualAddresses where try netlink.remove(address, interfaceIndex: base.index) {
                removed.append(address)
            }
            if !removed.isEmpty {
                log(false, "\(prefix) removing VIPs: \(removed.map(\.description).joined(separator: " "))")
            }
            guard let source = settings.sourceAddress ?? VRRPLinuxInterface.firstIPv4Address(of: base.name) else {
                throw VRRPRouterError.noIPv4Address(base.name)
            }
            if settings.useVirtualMAC {
                let created = try VRRPVirtualMAC.create(
                    on: base, virtualRouterID: settings.virtualRouterID, netlink: &netlink
                ) { log($0, "\(prefix) \($1)") }
                virtualMAC = created
                let mac = created.link.hardwareAddress.map { hex2($0) }.joined(separator: ":")
                log(false, "\(prefix) using \(created.link.name) (\(mac)) on \(base.name)")
            }
            // keepalived (without vmac_xmit_base) sends and receives on the macvlan: an advert from
            // a peer with the same virtual MAC as source is delivered by the kernel to the local
            // macvlan of that MAC only, never to the base interface.
            let interface = virtualMAC?.link ?? base
            let receiver = try VRRPLinuxSockets.openReceiver(protocol: VRRPPacket.ipProtocol, interface: interface)
            opened.append(receiver)
            var ahReceiver: Int32?
            if settings.version == .v2, case .ah = settings.authentication {
                let fd = try VRRPLinuxSockets.openReceiver(protocol: ipProtocolAH, interface: interface)
                opened.append(fd)
                ahReceiver = fd
            }
            let sender = try VRRPLinuxSockets.openSender(interface: interface)
            opened.append(sender)
            let packet = try VRRPLinuxSockets.openPacketSender()
            opened.append(packet)
            let owned = VRRPLinuxResources(
                interface: interface, netlink: netlink, senderFD: sender, packetFD: packet, virtualMAC: virtualMAC)
            resources = owned
            return try run(resources: owned, receiver: receiver, ahReceiver: ahReceiver, source: source)
        } catch {
            // Once `run` is called it closes everything itself when it fails.
            if resources == nil {
                virtualMAC?.remove(netlink: &netlink) { log($0, "\(prefix) \($1)") }
                netlink.close()
                for fd in opened { closeDescriptor(fd) }
            }
            throw error
        }
    }

    private func run(resources: VRRPLinuxResources, receiver: Int32, ahReceiver: Int32?, source: IPv4Address) throws -> Running {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let settings = self.settings
        let log = self.log
        let onTransition = self.onTransition
        let statusBox = self.statusBox
        var mainChannel: Channel?
        var ahChannel: Channel?
        do {
            let channel = try DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let host = VRRPLinuxHost(resources: resources, name: settings.name, log: log)
                        let handler = VRRPRouterHandler(
                            settings: settings, sourceAddress: source, host: host, log: log,
                            onTransition: onTransition,
                            onStatus: { status in statusBox.withLockedValue { $0 = status } })
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .withBoundSocket(receiver).wait()
            mainChannel = channel
            if let ahReceiver {
                ahChannel = try DatagramBootstrap(group: group)
                    .channelInitializer { ahChannel in
                        ahChannel.eventLoop.makeCompletedFuture {
                            try ahChannel.pipeline.syncOperations.addHandler(VRRPForwardingHandler(target: channel))
                        }
                    }
                    .withBoundSocket(ahReceiver).wait()
            }
            log(false, "\(prefix) started on \(settings.interface) from \(source), VRID \(settings.virtualRouterID), v\(settings.version.rawValue)")
            if let tracking = pendingTracking.withLockedValue({ $0 }) {
                channel.pipeline.fireUserInboundEventTriggered(
                    VRRPRouterCommand.updateTracking(priority: tracking.priority, fault: tracking.fault))
            }
            channel.pipeline.fireUserInboundEventTriggered(VRRPRouterCommand.start)
            return Running(group: group, channel: channel, authenticationChannel: ahChannel, resources: resources)
        } catch {
            // A channel owns its descriptor; one that never became a channel is ours to close.
            if let mainChannel { try? mainChannel.close().wait() } else { closeDescriptor(receiver) }
            if let ahChannel { try? ahChannel.close().wait() } else if let ahReceiver { closeDescriptor(ahReceiver) }
            try? group.syncShutdownGracefully()
            resources.close { log($0, "\(self.prefix) \($1)") }
            throw error
        }
    }

    /// Thread-safe; from the health tracker. `priority` is the base adjusted by weights; `fault`
    /// means a weight-0 check is failing.
    public func updateTracking(priority: UInt8, fault: Bool) {
        let channel: Channel? = phase.withLockedValue { phase in
            if case .running(let running) = phase { return running.channel }
            pendingTracking.withLockedValue { $0 = (priority, fault) }
            return nil
        }
        channel?.pipeline.fireUserInboundEventTriggered(VRRPRouterCommand.updateTracking(priority: priority, fault: fault))
    }

    /// Graceful stop: a master sends priority 0 and removes its VIPs once its successor has
    /// announced itself (`VRRPRouterHandler.handoverLimit` at most); then the loop stops. Blocks
    /// for at most that long plus a second; idempotent. Must not be called on the router's own loop.
    public func stop() {
        let running: Running? = phase.withLockedValue { phase in
            defer { phase = .stopped }
            if case .running(let running) = phase { return running }
            return nil
        }
        guard let running else { return }
        let done = DispatchSemaphore(value: 0)
        let channel = running.channel
        let authenticationChannel = running.authenticationChannel
        // The handler closes the channel when it is done (after the handover for a master).
        channel.closeFuture.whenComplete { _ in
            authenticationChannel?.close(promise: nil)
            done.signal()
        }
        channel.pipeline.fireUserInboundEventTriggered(VRRPRouterCommand.shutdown)
        let limit = VRRPRouterHandler.handoverLimit(settings) + .seconds(1)
        if done.wait(timeout: .now() + .microseconds(Int(limit.microseconds))) == .timedOut {
            log(true, "\(prefix) stop: the VRRP loop did not finish in time")
            channel.close(promise: nil)
        }
        let shutdown = DispatchSemaphore(value: 0)
        running.group.shutdownGracefully(queue: .global()) { _ in shutdown.signal() }
        _ = shutdown.wait(timeout: .now() + .milliseconds(200))
        running.resources.close { log($0, "\(prefix) \($1)") }
    }
}

private func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}

/// Hands the AH socket's packets to the main channel's handler (same loop), so one state machine
/// sees both protocols.
final class VRRPForwardingHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let target: Channel

    init(target: Channel) {
        self.target = target
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        target.pipeline.fireChannelRead(unwrapInboundIn(data))
    }
}
