import Testing
@testable import VRRP

private let lb1 = IPv4Address(10, 213, 0, 11)
private let lb2 = IPv4Address(10, 213, 0, 12)

private func at(_ microseconds: Int64) -> VRRPInstant { VRRPInstant(microseconds: microseconds) }

private func machine(
    _ version: VRRPVersion = .v3, priority: UInt8 = 100, interval: UInt16? = nil, preempt: Bool = true,
    preemptDelay: VRRPDuration = .zero, address: IPv4Address = lb1
) -> VRRPStateMachine {
    VRRPStateMachine(configuration: VRRPConfiguration(
        version: version, virtualRouterID: 51, priority: priority,
        advertInterval: interval ?? (version == .v3 ? 100 : 1),
        preempt: preempt, preemptDelay: preemptDelay, primaryAddress: address))
}

/// A master at `t`, reached the ordinary way (start, Master_Down expiry).
private func master(_ m: inout VRRPStateMachine) -> VRRPInstant {
    _ = m.handle(.start, at: .zero)
    let t = m.masterDownDeadline ?? .zero
    _ = m.handle(.timerFired(.masterDown), at: t)
    return t
}

// Priority 100, 1 s adverts: skew = 156/256 s = 609375 µs, Master_Down_Interval = 3.609375 s.
private let mdi100: Int64 = 3_609_375

@Suite struct VRRPStateMachineTests {
    @Test func timerFormulas() {
        var v3 = machine(.v3, priority: 102)
        #expect(v3.skewTime == VRRPDuration(microseconds: 601_562))
        #expect(v3.masterDownInterval == VRRPDuration(microseconds: 3_601_562))
        // v3 learns the master's interval (50 cs) and recomputes both values.
        _ = v3.handle(.start, at: .zero)
        _ = v3.handle(.advertReceived(priority: 200, maxAdvertInterval: 50, sourceAddress: lb2), at: at(10))
        #expect(v3.masterAdverInterval == 50)
        #expect(v3.skewTime == VRRPDuration(microseconds: 300_781))
        #expect(v3.masterDownInterval == VRRPDuration(microseconds: 1_800_781))
        #expect(v3.masterDownDeadline == at(10 + 1_800_781))
        // Our own adverts keep our configured interval.
        #expect(v3.advertisementInterval == .seconds(1))

        // v2: skew is (256 - priority)/256 s whatever the interval.
        let v2 = machine(.v2, priority: 102, interval: 2)
        #expect(v2.skewTime == VRRPDuration(microseconds: 601_562))
        #expect(v2.masterDownInterval == VRRPDuration(microseconds: 6_601_562))
    }

    @Test func startsAsBackupThenBecomesMaster() {
        var m = machine()
        #expect(m.handle(.start, at: .zero) == [
            .startTimer(.masterDown, deadline: at(mdi100)),
            .stateChanged(from: .initialize, to: .backup),
        ])
        #expect(m.state == .backup)
        // Early (stale) firings are ignored.
        #expect(m.handle(.timerFired(.masterDown), at: at(1_000_000)) == [])
        #expect(m.handle(.timerFired(.advert), at: at(mdi100)) == [])
        #expect(m.handle(.timerFired(.masterDown), at: at(mdi100)) == [
            .sendAdvertisement(priority: 100),
            .addVirtualAddresses,
            .sendGratuitousARP,
            .startTimer(.advert, deadline: at(mdi100 + 1_000_000)),
            .stateChanged(from: .backup, to: .master),
        ])
        #expect(m.state == .master)
        #expect(m.handle(.timerFired(.advert), at: at(mdi100 + 1_000_000)) == [
            .sendAdvertisement(priority: 100),
            .startTimer(.advert, deadline: at(mdi100 + 2_000_000)),
        ])
        // A second start is a no-op.
        #expect(m.handle(.start, at: at(mdi100 + 2_000_000)) == [])
    }

    @Test func higherPriorityAdvertMakesMasterStepDown() {
        var m = machine(priority: 100)
        let t = master(&m)
        // Lower priority: discarded.
        #expect(m.handle(.advertReceived(priority: 99, maxAdvertInterval: 100, sourceAddress: lb2), at: t) == [])
        #expect(m.state == .master)
        let now = t + .milliseconds(500)
        #expect(m.handle(.advertReceived(priority: 101, maxAdvertInterval: 100, sourceAddress: lb2), at: now) == [
            .cancelTimer(.advert),
            .removeVirtualAddresses,
            .startTimer(.masterDown, deadline: now + .microseconds(mdi100)),
            .stateChanged(from: .master, to: .backup),
        ])
        #expect(m.state == .backup)
        #expect(m.advertDeadline == nil)
        // The stopped advert timer firing late does nothing.
        #expect(m.handle(.timerFired(.advert), at: t + .seconds(1)) == [])
    }

    @Test func equalPriorityGoesToTheHigherAddress() {
        var low = machine(priority: 100, address: lb1)
        var t = master(&low)
        let actions = low.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2), at: t)
        #expect(actions.last == .stateChanged(from: .master, to: .backup))
        #expect(actions.contains(.removeVirtualAddresses))

        var high = machine(priority: 100, address: lb2)
        t = master(&high)
        #expect(high.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb1), at: t) == [])
        #expect(high.state == .master)
    }

    @Test func noPreemptKeepsTheCurrentMaster() {
        // We have the higher priority but preemption is off: every lower advert resets the timer.
        var m = machine(priority: 103, preempt: false)
        _ = m.handle(.start, at: .zero)
        let mdi = m.masterDownInterval
        var now = VRRPInstant.zero
        for _ in 0..<10 {
            now = now + .seconds(1)
            #expect(m.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2), at: now)
                == [.startTimer(.masterDown, deadline: now + mdi)])
            // The deadline armed at start has passed but was replaced.
            #expect(m.handle(.timerFired(.masterDown), at: now) == [])
        }
        #expect(m.state == .backup)

        // The same with preemption on: the lower advert is discarded and the timer runs out.
        var p = machine(priority: 103, preempt: true)
        _ = p.handle(.start, at: .zero)
        let deadline = p.masterDownDeadline
        #expect(p.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2),
                         at: at(1_000_000)) == [])
        #expect(p.masterDownDeadline == deadline)
        #expect(p.handle(.timerFired(.masterDown), at: deadline ?? .zero).last
            == .stateChanged(from: .backup, to: .master))
        // Higher or equal adverts still reset a preempting backup.
        var q = machine(priority: 100, preempt: true)
        _ = q.handle(.start, at: .zero)
        #expect(q.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2), at: at(5))
            == [.startTimer(.masterDown, deadline: at(5 + mdi100))])
    }

    @Test func preemptDelayToleratesLowerMasterForAWhile() {
        var m = machine(priority: 103, preempt: true, preemptDelay: .seconds(10))
        _ = m.handle(.start, at: .zero)
        let mdi = m.masterDownInterval
        // Within the delay: accepted like a higher-priority master.
        #expect(m.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2), at: at(9_000_000))
            == [.startTimer(.masterDown, deadline: at(9_000_000) + mdi)])
        // After it: discarded, so the timer armed at 9 s runs out.
        #expect(m.handle(.advertReceived(priority: 100, maxAdvertInterval: 100, sourceAddress: lb2), at: at(10_000_000))
            == [])
        #expect(m.handle(.timerFired(.masterDown), at: at(9_000_000) + mdi).last
            == .stateChanged(from: .backup, to: .master))
    }

    @Test func priorityZeroAdvertMeansTakeOverAfterSkew() {
        var m = machine(priority: 100)
        _ = m.handle(.start, at: .zero)
        let now = at(2_000_000)
        #expect(m.handle(.advertReceived(priority: 0, maxAdvertInterval: 100, sourceAddress: lb2), at: now)
            == [.startTimer(.masterDown, deadline: now + .microseconds(609_375))])
        #expect(m.handle(.timerFired(.masterDown), at: now + .microseconds(609_374)) == [])
        #expect(m.handle(.timerFired(.masterDown), at: now + .microseconds(609_375)).first
            == .sendAdvertisement(priority: 100))
        #expect(m.state == .master)

        // A master hearing priority 0 (another master leaving) answers at once.
        let t = now + .seconds(1)
        #expect(m.handle(.advertReceived(priority: 0, maxAdvertInterval: 100, sourceAddress: lb2), at: t)
            == [.sendAdvertisement(priority: 100), .startTimer(.advert, deadline: t + .seconds(1))])
        #expect(m.state == .master)
    }

    @Test func shutdownSendsPriorityZeroAndReleases() {
        var m = machine()
        let t = master(&m)
        #expect(m.handle(.shutdown, at: t) == [
            .cancelTimer(.advert),
            .sendAdvertisement(priority: 0),
            .removeVirtualAddresses,
            .stateChanged(from: .master, to: .initialize),
        ])
        var b = machine()
        _ = b.handle(.start, at: .zero)
        #expect(b.handle(.shutdown, at: at(1)) == [
            .cancelTimer(.masterDown),
            .stateChanged(from: .backup, to: .initialize),
        ])
    }

    @Test func ownerBecomesMasterAtOnceAndPreempts() {
        var owner = machine(priority: 255, address: lb1)
        #expect(owner.handle(.start, at: .zero) == [
            .sendAdvertisement(priority: 255),
            .addVirtualAddresses,
            .sendGratuitousARP,
            .startTimer(.advert, deadline: at(1_000_000)),
            .stateChanged(from: .initialize, to: .master),
        ])
        // Tracking cannot lower the owner.
        #expect(owner.handle(.priorityChanged(10), at: at(1)) == [])
        #expect(owner.priority == 255)
        // A current master (even with a higher address) gives way to the owner's first advert.
        var other = machine(priority: 254, address: lb2)
        let t = master(&other)
        #expect(other.handle(.advertReceived(priority: 255, maxAdvertInterval: 100, sourceAddress: lb1), at: t).last
            == .stateChanged(from: .master, to: .backup))
    }

    @Test func faultDropsTheAddressesAndComesBack() {
        var m = machine()
        let t = master(&m)
        #expect(m.handle(.fault, at: t) == [
            .cancelTimer(.advert),
            .sendAdvertisement(priority: 0),
            .removeVirtualAddresses,
            .stateChanged(from: .master, to: .fault),
        ])
        #expect(m.state == .fault)
        // FAULT ignores the protocol entirely.
        #expect(m.handle(.advertReceived(priority: 0, maxAdvertInterval: 100, sourceAddress: lb2), at: t) == [])
        #expect(m.handle(.timerFired(.advert), at: t + .seconds(5)) == [])
        #expect(m.handle(.fault, at: t) == [])
        let back = t + .seconds(6)
        #expect(m.handle(.faultCleared, at: back) == [
            .startTimer(.masterDown, deadline: back + .microseconds(mdi100)),
            .stateChanged(from: .fault, to: .backup),
        ])
        #expect(m.handle(.faultCleared, at: back) == [])

        // From Backup, and a fault known before start.
        var b = machine()
        _ = b.handle(.start, at: .zero)
        #expect(b.handle(.fault, at: at(1)) == [.cancelTimer(.masterDown), .stateChanged(from: .backup, to: .fault)])
        var early = machine()
        #expect(early.handle(.fault, at: .zero) == [])
        #expect(early.handle(.start, at: .zero) == [.stateChanged(from: .initialize, to: .fault)])
        #expect(early.handle(.faultCleared, at: at(1)).last == .stateChanged(from: .fault, to: .backup))
    }

    @Test func priorityChangesFromTracking() {
        var m = machine(priority: 101)
        let t = master(&m)
        #expect(m.handle(.priorityChanged(103), at: t) == [])
        #expect(m.handle(.timerFired(.advert), at: t + .seconds(1)).first == .sendAdvertisement(priority: 103))
        // Never 0 (the shutdown signal) nor 255 (the owner's) for a non-owner.
        _ = m.handle(.priorityChanged(0), at: t)
        #expect(m.priority == 1)
        _ = m.handle(.priorityChanged(255), at: t)
        #expect(m.priority == 254)
    }

    @Test func v2DiscardsAdvertsWithAnotherInterval() {
        var m = machine(.v2, priority: 100, interval: 1)
        _ = m.handle(.start, at: .zero)
        #expect(m.handle(.advertReceived(priority: 200, maxAdvertInterval: 2, sourceAddress: lb2), at: at(5)) == [])
        #expect(m.handle(.advertReceived(priority: 200, maxAdvertInterval: 1, sourceAddress: lb2), at: at(5))
            == [.startTimer(.masterDown, deadline: at(5 + mdi100))])
        #expect(m.masterAdverInterval == 1)
    }
}
