import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// What the router tells its handler, through `fireUserInboundEventTriggered`, so every input
/// reaches the state machine on the loop that owns it.
public enum VRRPRouterCommand: Sendable, Hashable {
    case start
    /// From the health tracker: the effective priority, and whether a weight-0 check is failing.
    case updateTracking(priority: UInt8, fault: Bool)
    case shutdown
}

/// Drives one `VRRPStateMachine` from a datagram channel: received adverts (checked first), timers
/// on the channel's event loop, and the router's commands go in; the actions come out through a
/// `VRRPHost`. The loop's clock is the machine's clock, so `EmbeddedEventLoop.advanceTime` drives
/// it in tests.
public final class VRRPRouterHandler: ChannelInboundHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>

    public typealias LogSink = (_ isError: Bool, _ message: String) -> Void
    public typealias TransitionSink = (_ state: VRRPState, _ priority: UInt8) -> Void
    public typealias StatusSink = (VRRPStatus) -> Void

    private let settings: VRRPRouterSettings
    private let host: VRRPHost
    private let log: LogSink
    private let onTransition: TransitionSink
    private let onStatus: StatusSink
    private var machine: VRRPStateMachine
    private var codec: VRRPAdvertCodec
    private var context: ChannelHandlerContext?
    private var timers: [VRRPTimer: Scheduled<Void>] = [:]
    /// Bumped on every transition, so a delayed GARP burst from an earlier mastership is dropped.
    private var mastership = 0
    private var faultReported = false
    private var lastDiscardLog: [VRRPDiscardReason: VRRPInstant] = [:]
    private var lastAddressListLog: VRRPInstant?
    private var lastElectionLog: VRRPInstant?
    /// A stopping master keeps its addresses until the new master's first advert (at most
    /// `handoverLimit`): the proxy behind them still serves during the peer's skew time, so
    /// clients see no gap between the goodbye and the new master's GARPs.
    private var handover: Scheduled<Void>?
    public private(set) var status: VRRPStatus

    static let discardLogInterval = VRRPDuration.seconds(10)

    public init(
        settings: VRRPRouterSettings, sourceAddress: IPv4Address, host: VRRPHost,
        log: @escaping LogSink, onTransition: @escaping TransitionSink = { _, _ in },
        onStatus: @escaping StatusSink = { _ in }
    ) {
        self.settings = settings
        self.host = host
        self.log = log
        self.onTransition = onTransition
        self.onStatus = onStatus
        machine = VRRPStateMachine(configuration: VRRPConfiguration(
            version: settings.version, virtualRouterID: settings.virtualRouterID, priority: settings.priority,
            advertInterval: settings.advertInterval, preempt: settings.preempt,
            preemptDelay: settings.preemptDelay, primaryAddress: sourceAddress))
        codec = VRRPAdvertCodec(settings: settings, source: sourceAddress)
        status = VRRPStatus(settings: settings)
        status.effectivePriority = machine.priority
    }

    public var state: VRRPState { machine.state }

    private var prefix: String { "VRRP_Instance(\(settings.name))" }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelAllTimers()
        handover?.cancel()
        handover = nil
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        receive(envelope.data)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let command = event as? VRRPRouterCommand else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch command {
        case .start:
            feed(.start)
        case .updateTracking(let priority, let fault):
            updateTracking(priority: priority, fault: fault)
        case .shutdown:
            shutdown()
        }
    }

    // MARK: - Shutdown

    /// How long a stopping master waits for its successor: the peer takes over after its skew
    /// time, below one advert interval, and announces itself first.
    public var handoverLimit: VRRPDuration {
        Self.handoverLimit(settings)
    }

    public static func handoverLimit(_ settings: VRRPRouterSettings) -> VRRPDuration {
        settings.version.intervals(Int64(settings.advertInterval)) + .milliseconds(500)
    }

    /// Priority 0 goes out at once; a master's addresses follow after the handover. The channel
    /// closes when all is done, which is what `VRRPRouter.stop()` waits for.
    private func shutdown() {
        let wasMaster = machine.state == .master
        let actions = machine.handle(.shutdown, at: now)
        cancelAllTimers()
        mastership += 1
        guard wasMaster, let context else {
            perform(actions)
            publish()
            finish()
            return
        }
        perform(actions.filter { $0 != .removeVirtualAddresses })
        publish()
        log(false, "\(prefix) keeping VIPs until the new master announces itself")
        let limit = handoverLimit
        handover = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline(now + limit)) {
            self.log(false, "\(self.prefix) no new master within \(limit.microseconds / 1000) ms")
            self.releaseAfterHandover()
        }
    }

    private func releaseAfterHandover() {
        guard let pending = handover else { return }
        handover = nil
        pending.cancel()
        log(false, "\(prefix) removing VIPs: \(addressList)")
        host.removeVirtualAddresses(settings.virtualAddresses)
        status.holdsAddresses = false
        publish()
        finish()
    }

    private func finish() {
        context?.close(promise: nil)
    }

    // MARK: - Inputs

    private func updateTracking(priority: UInt8, fault: Bool) {
        if priority != machine.priority {
            feed(.priorityChanged(priority))
        }
        if fault != faultReported {
            faultReported = fault
            feed(fault ? .fault : .faultCleared)
        }
        publish()
    }

    /// One packet from a raw socket (IP header included).
    private func receive(_ buffer: ByteBuffer) {
        let verdict = buffer.withUnsafeReadableBytes { codec.check($0) }
        let now = self.now
        switch verdict {
        case .ignored:
            return
        case .discarded(let reason, let source):
            status.packetsDiscarded += 1
            if lastDiscardLog[reason].map({ now < $0 + Self.discardLogInterval }) != true {
                lastDiscardLog[reason] = now
                let from = source.map { " from \($0)" } ?? ""
                log(true, "\(prefix) discarding packet\(from): \(reason.rawValue)")
            }
            publish()
        case .accepted(let packet, let source, let addressListMatches):
            status.advertsReceived += 1
            if handover != nil {
                // Stopping: the first advert of a live router is the successor taking over.
                if packet.priority > 0 {
                    status.masterAddress = source
                    releaseAfterHandover()
                }
                return
            }
            if !addressListMatches, lastAddressListLog.map({ now < $0 + Self.discardLogInterval }) != true {
                // RFC 3768/5798 §7.1: the list may be checked, a mismatch logged; the advert still counts.
                lastAddressListLog = now
                log(true, "\(prefix) received an advert from \(source) with an address list that differs from ours")
            }
            advertReceived(packet, from: source, at: now)
        }
    }

    private func advertReceived(_ packet: VRRPPacket, from source: IPv4Address, at now: VRRPInstant) {
        let ourPriority = machine.priority
        let wasState = machine.state
        if wasState == .master, packet.priority != 0,
           packet.priority < ourPriority
               || (packet.priority == ourPriority && source < machine.configuration.primaryAddress)
        {
            // keepalived's "forcing new election": a lower-priority master hears from us at once,
            // instead of waiting for our next advert, and goes back to Backup sooner.
            if lastElectionLog.map({ now < $0 + Self.discardLogInterval }) != true {
                lastElectionLog = now
                log(false, "\(prefix) Received advert from \(source) with lower priority \(packet.priority), ours \(ourPriority), forcing new election")
            }
            sendAdvertisement(priority: ourPriority)
            publish()
            return
        }
        feed(.advertReceived(priority: packet.priority, maxAdvertInterval: packet.advertInterval, sourceAddress: source))
        if machine.state == .backup {
            if packet.priority == 0 {
                status.masterAddress = nil
            } else if !settings.preempt || packet.priority >= machine.priority || wasState == .master {
                status.masterAddress = source
            }
            publish()
        }
    }

    // MARK: - The state machine

    private var now: VRRPInstant {
        guard let context else { return .zero }
        return VRRPInstant(microseconds: Int64(context.eventLoop.now.uptimeNanoseconds / 1000))
    }

    private func feed(_ event: VRRPEvent) {
        let actions = machine.handle(event, at: now)
        perform(actions)
        publish()
    }

    private func perform(_ actions: [VRRPAction]) {
        var secondBurst = false
        defer {
            // Scheduled after the whole list, so that it belongs to the mastership just entered.
            if secondBurst { scheduleSecondBurst() }
        }
        for action in actions {
            switch action {
            case .sendAdvertisement(let priority):
                sendAdvertisement(priority: priority)
                if priority == 0 {
                    log(false, "\(prefix) sent 0 priority")
                }
            case .addVirtualAddresses:
                log(false, "\(prefix) setting VIPs: \(addressList)")
                host.addVirtualAddresses(settings.virtualAddresses)
                status.holdsAddresses = true
            case .removeVirtualAddresses:
                log(false, "\(prefix) removing VIPs: \(addressList)")
                host.removeVirtualAddresses(settings.virtualAddresses)
                status.holdsAddresses = false
            case .sendGratuitousARP:
                gratuitousARPBurst()
                secondBurst = true
            case .startTimer(let timer, let deadline):
                startTimer(timer, deadline: deadline)
            case .cancelTimer(let timer):
                timers.removeValue(forKey: timer)?.cancel()
            case .stateChanged(let from, let to):
                transitioned(from: from, to: to)
            }
        }
    }

    private var addressList: String {
        settings.virtualAddresses.map(\.description).joined(separator: " ")
    }

    private func sendAdvertisement(priority: UInt8) {
        for (destination, packet) in codec.adverts(priority: priority) {
            host.sendAdvertisement(packet, to: destination)
        }
        status.advertsSent += 1
    }

    private func gratuitousARPBurst() {
        for _ in 0..<max(settings.garpRepeat, 0) {
            host.sendGratuitousARP(for: settings.virtualAddresses)
        }
    }

    /// keepalived's garp_master_delay: a second burst if we are still the same master by then.
    private func scheduleSecondBurst() {
        guard settings.garpDelay > .zero, let context else { return }
        let generation = mastership
        context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline(now + settings.garpDelay)) {
            guard self.mastership == generation, self.machine.state == .master else { return }
            self.gratuitousARPBurst()
        }
    }

    private func transitioned(from: VRRPState, to: VRRPState) {
        mastership += 1
        status.state = to
        status.transitions += 1
        status.lastTransition = Self.wallClock()
        switch to {
        case .master:
            status.masterAddress = machine.configuration.primaryAddress
            log(false, "\(prefix) Entering MASTER STATE")
        case .backup:
            if from == .master || from == .fault { status.masterAddress = nil }
            // keepalived 2.2.7 marks the first BACKUP after start with "(init)".
            log(false, "\(prefix) Entering BACKUP STATE\(from == .initialize ? " (init)" : "")")
        case .fault:
            status.masterAddress = nil
            log(false, "\(prefix) Entering FAULT STATE")
        case .initialize:
            status.masterAddress = nil
            log(false, "\(prefix) Stopped")
        }
        status.effectivePriority = machine.priority
        onTransition(to, machine.priority)
    }

    // MARK: - Timers

    private func deadline(_ instant: VRRPInstant) -> NIODeadline {
        .uptimeNanoseconds(UInt64(max(instant.microseconds, 0)) * 1000)
    }

    private func startTimer(_ timer: VRRPTimer, deadline instant: VRRPInstant) {
        timers.removeValue(forKey: timer)?.cancel()
        guard let context else { return }
        timers[timer] = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline(instant)) {
            self.timers[timer] = nil
            self.feed(.timerFired(timer))
        }
    }

    private func cancelAllTimers() {
        for (_, scheduled) in timers { scheduled.cancel() }
        timers.removeAll()
    }

    private func publish() {
        status.effectivePriority = machine.priority
        onStatus(status)
    }

    private static func wallClock() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
