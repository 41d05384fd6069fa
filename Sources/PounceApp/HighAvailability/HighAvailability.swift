import NIOCore
import NIOPosix
import PoundConfig
import ProcessSupport
import ProxyCore
import RequestLog
import VRRP

/// The `VRRP` blocks at run time: per instance a router (its own thread, so a busy proxy cannot
/// starve adverts) and a tracker of the proxy's own health that moves the router's priority.
/// Trackers and notify hooks share one more thread, apart from the proxy's event loops.
final class HighAvailability: Sendable {
    private struct Member: Sendable {
        let instance: VRRPInstance
        let router: VRRPRouter
        let tracker: SelfHealthTracker
    }

    private let group: MultiThreadedEventLoopGroup
    private let members: [Member]
    private let log: LogSink

    /// nil when the configuration has no VRRP block.
    init?(config: PoundConfiguration, health: any ProxyHealth, log: LogSink) {
        guard !config.vrrp.isEmpty else { return nil }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        self.group = group
        self.log = log
        members = config.vrrp.map { instance in
            let hooks = instance.notify
            let router = VRRPRouter(
                settings: Self.settings(for: instance),
                log: { isError, message in log.log(isError ? .error : .notice, message) },
                onTransition: { state, priority in
                    // keepalived reports no INIT; a stop is reported as STOP by `stop()`.
                    guard state != .initialize else { return }
                    Self.notify(hooks, instance: instance.name, state: state.rawValue, priority: priority, on: loop)
                })
            let tracker = SelfHealthTracker(instance: instance, health: health, loop: loop, log: log) { priority, fault in
                router.updateTracking(priority: priority, fault: fault)
            }
            return Member(instance: instance, router: router, tracker: tracker)
        }
    }

    /// Starts every router (each removes addresses a crashed run left behind, then waits as Backup)
    /// and its checks. The first failure stops what was started and is returned.
    /// What the process running VRRP keeps when it drops privileges: raw packets, address changes.
    static let capabilities: [Privileges.Capability] = [.netAdmin, .netRaw, .netBindService]

    func start() throws(HighAvailabilityError) {
        var started: [Member] = []
        for member in members {
            // Before the router starts, so the first advert already carries the tracked priority.
            member.router.updateTracking(priority: member.tracker.initialPriority, fault: false)
            do {
                try member.router.start()
            } catch {
                for m in started { m.tracker.stop(); m.router.stop() }
                throw HighAvailabilityError(range: member.instance.range, message: "VRRP \(member.instance.name): \(error)")
            }
            member.tracker.start()
            started.append(member)
        }
    }

    /// A graceful goodbye: masters send priority 0, so the peer takes over after its skew time
    /// instead of a whole Master_Down_Interval, and release their addresses once it has announced
    /// itself. The proxy keeps serving meanwhile: it is stopped after this returns.
    func stop() {
        let loop = group.next()
        var hooks: [EventLoopFuture<Int32?>] = []
        for member in members {
            member.tracker.stop()
            member.router.stop()
            hooks += Self.notify(member.instance.notify, instance: member.instance.name, state: "STOP",
                                 priority: member.router.status.effectivePriority, on: loop)
        }
        // Stop hooks get a moment to run; they must not hold the exit up for long.
        _ = try? EventLoopFuture.whenAllComplete(hooks, on: loop).wait()
        try? group.syncShutdownGracefully()
    }

    var statuses: [VRRPStatus] { members.map(\.router.status) }

    /// A supervisor's verdict: no worker can be kept running (FAULT), or one serves again.
    func setWorkerFault(_ fault: Bool) {
        for member in members { member.tracker.setWorkerFault(fault) }
    }

    /// keepalived's notify hooks: `Notify` gets "INSTANCE name STATE priority"; the per-state ones
    /// get nothing.
    @discardableResult
    private static func notify(_ hooks: VRRPNotifyHooks, instance: String, state: String, priority: UInt8,
                               on loop: EventLoop) -> [EventLoopFuture<Int32?>] {
        var runs: [EventLoopFuture<Int32?>] = []
        let timeout = TimeAmount.seconds(30)
        if let command = hooks.any {
            runs.append(ScriptRun.run(command, arguments: ["INSTANCE", instance, state, String(priority)],
                                      timeout: timeout, on: loop))
        }
        let specific: String?
        switch state {
        case "MASTER": specific = hooks.master
        case "BACKUP": specific = hooks.backup
        case "FAULT": specific = hooks.fault
        case "STOP": specific = hooks.stop
        default: specific = nil
        }
        if let command = specific {
            runs.append(ScriptRun.run(command, timeout: timeout, on: loop))
        }
        return runs
    }

    /// The block's values in the router's own types; the parser has checked every one.
    static func settings(for v: VRRPInstance) -> VRRPRouterSettings {
        func address(_ text: String) -> IPv4Address? { IPv4Address(text) }
        let authentication: VRRPAuthSetting
        switch v.authentication {
        case .none: authentication = .none
        case .password(let p): authentication = .password(Array(p.utf8))
        case .ah(let p): authentication = .ah(Array(p.utf8))
        }
        return VRRPRouterSettings(
            name: v.name,
            interface: v.interface ?? "",
            version: v.version == 3 ? .v3 : .v2,
            virtualRouterID: UInt8(clamping: v.virtualRouterID ?? 0),
            priority: UInt8(clamping: v.priority),
            advertInterval: UInt16(clamping: v.effectiveAdvertInterval),
            preempt: v.preempt,
            preemptDelay: .seconds(Int64(v.preemptDelay)),
            virtualAddresses: v.virtualAddresses.compactMap { a in
                address(a.addressText).map { VRRPVirtualAddress(address: $0, prefixLength: UInt8(clamping: a.prefixLength)) }
            },
            unicastPeers: v.unicastPeers.compactMap(address),
            sourceAddress: v.unicastSource.flatMap(address),
            authentication: authentication,
            useVirtualMAC: v.virtualMAC,
            garpRepeat: v.garpRepeat,
            garpDelay: .seconds(Int64(v.garpDelay)))
    }
}

struct HighAvailabilityError: Error, CustomStringConvertible {
    let range: LocusRange
    let message: String
    var description: String { message }
}
