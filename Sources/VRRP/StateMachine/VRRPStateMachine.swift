/// The protocol engine of one virtual router: RFC 5798 §6.4 (and RFC 3768 §6.4 for v2) as a value
/// type. The driver feeds events with the current time and carries out the returned actions in
/// order; nothing here does I/O or reads a clock.
///
/// Timer firings are checked against the deadline kept here, so a driver whose timer was cancelled
/// too late (or fired early) cannot make the machine act on a stale timer.
public struct VRRPStateMachine: Sendable {
    public let configuration: VRRPConfiguration
    public private(set) var state: VRRPState = .initialize
    /// The effective priority (base priority plus tracking weights).
    public private(set) var priority: UInt8
    /// v3 learns it from the master's adverts (centiseconds); v2 always uses the configured one.
    public private(set) var masterAdverInterval: UInt16
    public private(set) var masterDownDeadline: VRRPInstant?
    public private(set) var advertDeadline: VRRPInstant?
    /// Until then a Backup with preemption on still accepts a lower-priority master.
    public private(set) var preemptHoldUntil: VRRPInstant?
    /// A fault reported before `start` or while running; FAULT lasts until `faultCleared`.
    public private(set) var faultActive = false

    public init(configuration: VRRPConfiguration) {
        self.configuration = configuration
        priority = min(max(configuration.priority, 1), 255)
        masterAdverInterval = configuration.advertInterval
    }

    public var isOwner: Bool { configuration.priority == 255 }

    /// v2: (256 - Priority)/256 s. v3: ((256 - Priority) × Master_Adver_Interval)/256 cs.
    public var skewTime: VRRPDuration {
        let factor = Int64(256 - Int(priority))
        switch configuration.version {
        case .v2: return VRRPDuration(microseconds: factor * 1_000_000 / 256)
        case .v3: return VRRPDuration(microseconds: factor * Int64(masterAdverInterval) * 10_000 / 256)
        }
    }

    /// 3 × Master_Adver_Interval + Skew_Time.
    public var masterDownInterval: VRRPDuration {
        configuration.version.intervals(3 * Int64(masterAdverInterval)) + skewTime
    }

    /// How often a master advertises: always our own configured interval.
    public var advertisementInterval: VRRPDuration {
        configuration.version.intervals(Int64(configuration.advertInterval))
    }

    public mutating func handle(_ event: VRRPEvent, at now: VRRPInstant) -> [VRRPAction] {
        switch event {
        case .start:
            guard state == .initialize else { return [] }
            if faultActive {
                return [transition(to: .fault)]
            }
            return enterRunning(at: now)

        case .advertReceived(let advertPriority, let interval, let source):
            return advertReceived(priority: advertPriority, interval: interval, source: source, at: now)

        case .timerFired(.masterDown):
            guard state == .backup, let deadline = masterDownDeadline, now >= deadline else { return [] }
            // It has fired: nothing left for the driver to cancel.
            masterDownDeadline = nil
            return becomeMaster(at: now)

        case .timerFired(.advert):
            guard state == .master, let deadline = advertDeadline, now >= deadline else { return [] }
            let next = now + advertisementInterval
            advertDeadline = next
            return [.sendAdvertisement(priority: priority), .startTimer(.advert, deadline: next)]

        case .priorityChanged(let newPriority):
            // The owner's 255 is what makes it the owner; tracking cannot change it. Others can never
            // reach 255 (owner only) or 0 (the shutdown signal); keepalived clamps the same way.
            guard !isOwner else { return [] }
            priority = min(max(newPriority, 1), 254)
            return []

        case .shutdown:
            var actions = leaveActiveState()
            if state != .initialize {
                actions.append(transition(to: .initialize))
            }
            return actions

        case .fault:
            faultActive = true
            guard state == .backup || state == .master else { return [] }
            var actions = leaveActiveState()
            actions.append(transition(to: .fault))
            return actions

        case .faultCleared:
            faultActive = false
            guard state == .fault else { return [] }
            return enterRunning(at: now)
        }
    }

    // MARK: - Transitions

    /// RFC 5798 §6.4.1: the owner goes straight to Master, everyone else waits as Backup.
    private mutating func enterRunning(at now: VRRPInstant) -> [VRRPAction] {
        masterAdverInterval = configuration.advertInterval
        if isOwner {
            return becomeMaster(at: now)
        }
        return becomeBackup(at: now)
    }

    private mutating func becomeBackup(at now: VRRPInstant) -> [VRRPAction] {
        let deadline = now + masterDownInterval
        masterDownDeadline = deadline
        preemptHoldUntil = configuration.preemptDelay > .zero ? now + configuration.preemptDelay : nil
        return [.startTimer(.masterDown, deadline: deadline), transition(to: .backup)]
    }

    /// The first advert goes out before the addresses are added and announced, as keepalived does.
    private mutating func becomeMaster(at now: VRRPInstant) -> [VRRPAction] {
        var actions: [VRRPAction] = []
        if masterDownDeadline != nil {
            masterDownDeadline = nil
            actions.append(.cancelTimer(.masterDown))
        }
        preemptHoldUntil = nil
        let next = now + advertisementInterval
        advertDeadline = next
        actions += [
            .sendAdvertisement(priority: priority),
            .addVirtualAddresses,
            .sendGratuitousARP,
            .startTimer(.advert, deadline: next),
            transition(to: .master),
        ]
        return actions
    }

    /// Stops the timers of Backup or Master; a master also says goodbye with priority 0 and
    /// releases its addresses (RFC 5798 §6.4.3, shutdown; keepalived does the same on FAULT).
    private mutating func leaveActiveState() -> [VRRPAction] {
        var actions: [VRRPAction] = []
        switch state {
        case .master:
            advertDeadline = nil
            actions += [.cancelTimer(.advert), .sendAdvertisement(priority: 0), .removeVirtualAddresses]
        case .backup:
            masterDownDeadline = nil
            actions.append(.cancelTimer(.masterDown))
        case .initialize, .fault:
            break
        }
        preemptHoldUntil = nil
        return actions
    }

    private mutating func transition(to newState: VRRPState) -> VRRPAction {
        let old = state
        state = newState
        return .stateChanged(from: old, to: newState)
    }

    // MARK: - Adverts

    private mutating func advertReceived(
        priority advertPriority: UInt8, interval: UInt16, source: IPv4Address, at now: VRRPInstant
    ) -> [VRRPAction] {
        // RFC 3768 §7.1: a v2 advert with another interval is discarded (v3 learns it instead).
        if configuration.version == .v2, interval != configuration.advertInterval {
            return []
        }
        switch state {
        case .backup:
            if advertPriority == 0 {
                let deadline = now + skewTime
                masterDownDeadline = deadline
                return [.startTimer(.masterDown, deadline: deadline)]
            }
            let holding = preemptHoldUntil.map { now < $0 } ?? false
            guard !configuration.preempt || advertPriority >= priority || holding else {
                // A lower-priority master: let the timer run out and preempt it.
                return []
            }
            learnInterval(interval)
            let deadline = now + masterDownInterval
            masterDownDeadline = deadline
            return [.startTimer(.masterDown, deadline: deadline)]

        case .master:
            if advertPriority == 0 {
                let next = now + advertisementInterval
                advertDeadline = next
                return [.sendAdvertisement(priority: priority), .startTimer(.advert, deadline: next)]
            }
            let loses = advertPriority > priority
                || (advertPriority == priority && source > configuration.primaryAddress)
            guard loses else { return [] }
            advertDeadline = nil
            learnInterval(interval)
            let deadline = now + masterDownInterval
            masterDownDeadline = deadline
            preemptHoldUntil = configuration.preemptDelay > .zero ? now + configuration.preemptDelay : nil
            return [
                .cancelTimer(.advert),
                .removeVirtualAddresses,
                .startTimer(.masterDown, deadline: deadline),
                transition(to: .backup),
            ]

        case .initialize, .fault:
            return []
        }
    }

    private mutating func learnInterval(_ interval: UInt16) {
        // A zero interval would make Master_Down fire at once; keep the last good one.
        if configuration.version == .v3, interval > 0 {
            masterAdverInterval = interval & 0x0FFF
        }
    }
}
