import Testing
import VRRP

/// keepalived's weight semantics, checked against the numbers the rig's README measures with
/// keepalived (priorities 101/100, weight 2: 103 vs 102 healthy, 101 vs 102 when lb1 fails).
@Suite struct VRRPTrackingTests {
    @Test func positiveWeightIsAddedWhileHealthy() {
        var lb1 = VRRPTracking(basePriority: 101, signals: [.init(weight: 2)])
        let lb2 = VRRPTracking(basePriority: 100, signals: [.init(weight: 2)])
        #expect(lb1.effectivePriority == 103)
        #expect(lb2.effectivePriority == 102)
        let changed1 = lb1.record(0, success: false)
        #expect(changed1)
        #expect(lb1.effectivePriority == 101)
        #expect(lb1.effectivePriority < lb2.effectivePriority)
        #expect(!lb1.fault)
    }

    @Test func negativeWeightIsSubtractedWhileFailing() {
        var t = VRRPTracking(basePriority: 150, signals: [.init(weight: -60), .init(weight: 10)])
        #expect(t.effectivePriority == 160)
        t.record(0, success: false)
        #expect(t.effectivePriority == 100)
        t.record(1, success: false)
        #expect(t.effectivePriority == 90)
    }

    @Test func zeroWeightMeansFault() {
        var t = VRRPTracking(basePriority: 101, signals: [.init(weight: 0), .init(weight: 2)])
        #expect(!t.fault)
        t.record(0, success: false)
        #expect(t.fault)
        #expect(t.effectivePriority == 103)
        t.record(0, success: true)
        #expect(!t.fault)
    }

    @Test func fallAndRiseNeedResultsInARow() {
        var t = VRRPTracking(basePriority: 100, signals: [.init(weight: 0, fall: 3, rise: 2)])
        let changed101 = t.record(0, success: false)
        #expect(!changed101)
        let changed102 = t.record(0, success: false)
        #expect(!changed102)
        // A success in between starts the count again.
        let changed103 = t.record(0, success: true)
        #expect(!changed103)
        let changed104 = t.record(0, success: false)
        #expect(!changed104)
        let changed105 = t.record(0, success: false)
        #expect(!changed105)
        let changed2 = t.record(0, success: false)
        #expect(changed2)
        #expect(t.fault)
        let changed106 = t.record(0, success: true)
        #expect(!changed106)
        #expect(t.fault)
        let changed3 = t.record(0, success: true)
        #expect(changed3)
        #expect(!t.fault)
    }

    @Test func priorityStaysInTheNonOwnerRangeAndTheOwnerIsNotAdjusted() {
        var low = VRRPTracking(basePriority: 5, signals: [.init(weight: -50)])
        low.record(0, success: false)
        #expect(low.effectivePriority == 1)
        let high = VRRPTracking(basePriority: 250, signals: [.init(weight: 20)])
        #expect(high.effectivePriority == 254)
        var owner = VRRPTracking(basePriority: 255, signals: [.init(weight: -50)])
        owner.record(0, success: false)
        #expect(owner.effectivePriority == 255)
    }

    @Test func unknownIndexIsIgnored() {
        var t = VRRPTracking(basePriority: 100, signals: [])
        let changed107 = t.record(3, success: false)
        #expect(!changed107)
        #expect(t.effectivePriority == 100)
    }
}
