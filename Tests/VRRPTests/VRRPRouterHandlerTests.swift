import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import VRRP

@Suite struct VRRPRouterHandlerTests {
    @Test func becomesMasterAfterMasterDownWithKeepalivedsFirstPacket() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.command(.start)
        #expect(rig.handler.state == .backup)
        #expect(rig.log.count(containing: "VRRP_Instance(VI_1) Entering BACKUP STATE (init)") == 1)
        // Master_Down_Interval for 103 at 100 cs: 3 s + 153/256 s = 3.597656 s.
        rig.advance(milliseconds: 3_597)
        #expect(rig.host.calls.isEmpty)
        rig.advance(milliseconds: 1)
        #expect(rig.handler.state == .master)
        // The advert goes first, then the VIP, then one burst of 5 GARPs.
        guard rig.host.calls.count == 7 else {
            Issue.record("calls: \(rig.host.calls)")
            return
        }
        #expect(rig.host.calls[0] == .advert(
            hexBytes("45c0 0020 0001 0000 ff70 cfba 0ad5000b e0000012 31336701 006470c0 0ad50063"), .vrrpMulticast))
        #expect(rig.host.calls[1] == .add([rigVIP]))
        #expect(Array(rig.host.calls[2...]) == Array(repeating: .garp([rigVIP]), count: 5))
        #expect(rig.log.count(containing: "VRRP_Instance(VI_1) Entering MASTER STATE") == 1)
        #expect(rig.transitions.withLockedValue { $0 } == [.backup, .master])
        #expect(rig.handler.status.masterAddress == rigLB1)
        #expect(rig.handler.status.holdsAddresses)
    }

    @Test func masterAdvertisesEveryIntervalWithIPIDsCountingUp() throws {
        let rig = try HandlerRig(rigSettings(.v2, priority: 103))
        rig.becomeMaster()
        rig.advance(milliseconds: 3_000)
        let adverts = rig.host.adverts
        #expect(adverts.count == 4)
        #expect(adverts.map { UInt16($0[4]) << 8 | UInt16($0[5]) } == [1, 2, 3, 4])
        // The known-good v2 advert from lb1 at 103, after its IP header.
        #expect(adverts.allSatisfy { Array($0[20...]) == hexBytes("21 33 67 01 00 01 6c92 0ad50063 0000000000000000") })
        #expect(adverts.allSatisfy { $0[1] == 0xc0 && $0[8] == 255 })
        #expect(rig.handler.status.advertsSent == 4)
    }

    @Test func secondGARPBurstAfterTheDelayOnlyWhileStillMaster() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.becomeMaster()
        #expect(rig.host.garpCount == 5)
        rig.advance(milliseconds: 5_000)
        #expect(rig.host.garpCount == 10)

        let other = try HandlerRig(rigSettings(.v3, priority: 103))
        other.becomeMaster()
        try other.receive(peerAdvert(rigSettings(.v3), priority: 200))
        #expect(other.handler.state == .backup)
        for _ in 0..<6 {
            other.advance(milliseconds: 1_000)
            try other.receive(peerAdvert(rigSettings(.v3), priority: 200))
        }
        #expect(other.handler.state == .backup)
        #expect(other.host.garpCount == 5)
    }

    @Test func higherPriorityAdvertMakesMasterStepDown() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.becomeMaster()
        try rig.receive(peerAdvert(rigSettings(.v3), priority: 150))
        #expect(rig.handler.state == .backup)
        #expect(rig.host.calls.last == .remove([rigVIP]))
        #expect(rig.handler.status.masterAddress == rigLB2)
        #expect(!rig.handler.status.holdsAddresses)
        #expect(rig.handler.status.advertsReceived == 1)
        #expect(rig.log.count(containing: "Entering BACKUP STATE") == 2)
    }

    @Test func lowerPriorityAdvertForcesANewElection() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.becomeMaster()
        let before = rig.host.adverts.count
        try rig.receive(peerAdvert(rigSettings(.v3), priority: 50))
        #expect(rig.handler.state == .master)
        #expect(rig.host.adverts.count == before + 1)
        #expect(rig.log.count(containing: "forcing new election") == 1)
    }

    @Test func backupTakesOverQuicklyAfterPriorityZero() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 100))
        rig.command(.start)
        rig.advance(milliseconds: 1_000)
        try rig.receive(peerAdvert(rigSettings(.v3), priority: 200))
        #expect(rig.handler.status.masterAddress == rigLB2)
        rig.advance(milliseconds: 3_000)
        #expect(rig.handler.state == .backup)
        try rig.receive(peerAdvert(rigSettings(.v3), priority: 0))
        #expect(rig.handler.status.masterAddress == nil)
        // Skew time for 100 at 100 cs: 156/256 s = 609 ms.
        rig.advance(milliseconds: 609)
        #expect(rig.handler.state == .backup)
        rig.advance(milliseconds: 1)
        #expect(rig.handler.state == .master)
    }

    @Test func shutdownAsMasterSendsPriorityZeroAndReleasesAfterTheHandoverLimit() throws {
        let rig = try HandlerRig(rigSettings(.v2, priority: 103))
        rig.becomeMaster()
        let closed = NIOLockedValueBox(false)
        rig.channel.closeFuture.whenComplete { _ in closed.withLockedValue { $0 = true } }
        rig.command(.shutdown)
        #expect(rig.handler.state == .initialize)
        #expect(rig.host.advertPriorities.last == 0)
        #expect(rig.log.count(containing: "VRRP_Instance(VI_1) sent 0 priority") == 1)
        // The addresses stay while no successor has spoken: one v2 interval plus 0.5 s.
        #expect(rig.handler.handoverLimit == .milliseconds(1_500))
        #expect(rig.handler.status.holdsAddresses)
        #expect(rig.host.calls.last != .remove([rigVIP]))
        rig.advance(milliseconds: 1_499)
        #expect(rig.host.calls.last != .remove([rigVIP]))
        #expect(!closed.withLockedValue { $0 })
        rig.advance(milliseconds: 1)
        #expect(rig.host.calls.last == .remove([rigVIP]))
        #expect(!rig.handler.status.holdsAddresses)
        #expect(rig.log.count(containing: "removing VIPs") == 1)
        #expect(closed.withLockedValue { $0 })
        // No timer outlives the shutdown: no advert, no GARP burst.
        let calls = rig.host.calls.count
        rig.advance(milliseconds: 10_000)
        #expect(rig.host.calls.count == calls)
    }

    @Test func shutdownReleasesAsSoonAsTheSuccessorAdvertises() throws {
        let rig = try HandlerRig(rigSettings(.v2, priority: 103))
        rig.becomeMaster()
        rig.command(.shutdown)
        rig.advance(milliseconds: 600)
        // A stale advert of ours or a goodbye does not count; the successor's first advert does.
        try rig.receive(peerAdvert(rigSettings(.v2), priority: 0))
        #expect(rig.handler.status.holdsAddresses)
        try rig.receive(peerAdvert(rigSettings(.v2), priority: 102))
        #expect(rig.host.calls.last == .remove([rigVIP]))
        #expect(rig.handler.status.masterAddress == rigLB2)
        #expect(!rig.channel.isActive)
        #expect(rig.host.advertPriorities.filter { $0 == 0 }.count == 1)
    }

    @Test func shutdownAsBackupClosesAtOnce() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 100))
        rig.command(.start)
        rig.command(.shutdown)
        #expect(rig.handler.state == .initialize)
        #expect(rig.host.adverts.isEmpty)
        #expect(!rig.channel.isActive)
    }

    @Test func faultGivesUpTheVIPAndRecovers() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.becomeMaster()
        rig.command(.updateTracking(priority: 103, fault: true))
        #expect(rig.handler.state == .fault)
        #expect(rig.host.advertPriorities.last == 0)
        #expect(rig.log.count(containing: "Entering FAULT STATE") == 1)
        rig.command(.updateTracking(priority: 101, fault: false))
        #expect(rig.handler.state == .backup)
        #expect(rig.handler.status.effectivePriority == 101)
    }

    @Test func trackedPriorityGoesOnTheWire() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 103))
        rig.command(.updateTracking(priority: 105, fault: false))
        rig.becomeMaster()
        #expect(rig.host.advertPriorities.first == 105)
        #expect(rig.handler.status.basePriority == 103)
        #expect(rig.handler.status.effectivePriority == 105)
    }

    @Test func discardsAreCountedAndLoggedOncePerReasonPerTenSeconds() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 100))
        rig.command(.start)
        var packet = peerAdvert(rigSettings(.v3), priority: 200)
        packet[8] = 254  // TTL; the IP header checksum is not what the receiver checks
        try rig.receive(packet)
        try rig.receive(packet)
        #expect(rig.handler.status.packetsDiscarded == 2)
        #expect(rig.log.errors.filter { $0.contains("TTL != 255") }.count == 1)
        rig.advance(milliseconds: 10_000)
        try rig.receive(packet)
        #expect(rig.log.errors.filter { $0.contains("TTL != 255") }.count == 2)
        // A discarded advert does not hold the backup down.
        #expect(rig.handler.state == .master)
    }

    @Test func otherVRIDsAndOurOwnPacketsAreIgnoredSilently() throws {
        let rig = try HandlerRig(rigSettings(.v3, priority: 100))
        rig.command(.start)
        var other = rigSettings(.v3)
        other.virtualRouterID = 52
        try rig.receive(peerAdvert(other, priority: 200))
        try rig.receive(peerAdvert(rigSettings(.v3), from: rigLB1, priority: 200))
        #expect(rig.handler.status.packetsDiscarded == 0)
        #expect(rig.handler.status.advertsReceived == 0)
        #expect(rig.log.errors.isEmpty)
    }
}

@Suite struct VRRPAdvertCodecTests {
    private func verdictReason(_ codec: VRRPAdvertCodec, _ packet: [UInt8]) -> VRRPDiscardReason? {
        if case .discarded(let reason, _) = packet.withUnsafeBytes({ codec.check($0) }) { return reason }
        return nil
    }

    private func accepted(_ codec: VRRPAdvertCodec, _ packet: [UInt8]) -> Bool {
        if case .accepted = packet.withUnsafeBytes({ codec.check($0) }) { return true }
        return false
    }

    @Test func passwordMustMatch() {
        let ours = VRRPAdvertCodec(settings: rigSettings(.v2, authentication: .password(Array("rigpass1".utf8))), source: rigLB1)
        let good = peerAdvert(rigSettings(.v2, authentication: .password(Array("rigpass1".utf8))), priority: 102)
        let wrong = peerAdvert(rigSettings(.v2, authentication: .password(Array("other".utf8))), priority: 102)
        let none = peerAdvert(rigSettings(.v2), priority: 102)
        #expect(accepted(ours, good))
        #expect(verdictReason(ours, wrong) == .authentication)
        #expect(verdictReason(ours, none) == .authentication)
        // The clear-text password on the wire, as keepalived sends it.
        #expect(Array(good[20...]) == hexBytes("21 33 66 01 01 01 be13 0ad50063 7269677061737331"))
    }

    @Test func authenticationHeaderMustVerify() {
        let password = Array("rigpass1".utf8)
        let ours = VRRPAdvertCodec(settings: rigSettings(.v2, authentication: .ah(password)), source: rigLB1)
        var peer = VRRPAdvertCodec(settings: rigSettings(.v2, authentication: .ah(password)), source: rigLB2)
        let first = peer.adverts(priority: 102)[0].packet
        let second = peer.adverts(priority: 102)[0].packet
        #expect(first[9] == ipProtocolAH)
        // SPI = the sender's address, sequence from 1.
        #expect(Array(first[24..<32]) == rigLB2.bytes + [0, 0, 0, 1])
        #expect(Array(second[28..<32]) == [0, 0, 0, 2])
        #expect(accepted(ours, first))
        var tampered = first
        tampered[40] ^= 1  // the ICV itself
        #expect(verdictReason(ours, tampered) == .authentication)
        let wrongKey = VRRPAdvertCodec(settings: rigSettings(.v2, authentication: .ah(Array("x".utf8))), source: rigLB1)
        #expect(verdictReason(wrongKey, first) == .authentication)
        #expect(verdictReason(ours, peerAdvert(rigSettings(.v2), priority: 102)) == .authentication)
    }

    @Test func versionIntervalAndChecksumChecks() {
        let ours = VRRPAdvertCodec(settings: rigSettings(.v2), source: rigLB1)
        #expect(verdictReason(ours, peerAdvert(rigSettings(.v3), priority: 102)) == .version)
        var slow = rigSettings(.v2)
        slow.advertInterval = 2
        #expect(verdictReason(ours, peerAdvert(slow, priority: 102)) == .interval)
        var corrupt = peerAdvert(rigSettings(.v2), priority: 102)
        corrupt[22] = 1
        #expect(verdictReason(ours, corrupt) == .checksum)
        #expect(verdictReason(ours, [0x45, 0, 0]) == .malformed)
    }

    @Test func addressListMismatchIsAcceptedButFlagged() {
        let ours = VRRPAdvertCodec(settings: rigSettings(.v3), source: rigLB1)
        var peer = rigSettings(.v3)
        peer.virtualAddresses.append(VRRPVirtualAddress(address: IPv4Address(10, 213, 0, 98)))
        let verdict = peerAdvert(peer, priority: 102).withUnsafeBytes { ours.check($0) }
        guard case .accepted(_, _, let matches) = verdict else {
            Issue.record("not accepted: \(verdict)")
            return
        }
        #expect(!matches)
    }

    @Test func unicastAdvertsGoToEachPeerWithTheirPseudoHeader() {
        var codec = VRRPAdvertCodec(settings: rigSettings(.v3, unicastPeers: [rigLB2]), source: rigLB1)
        let adverts = codec.adverts(priority: 103)
        #expect(adverts.count == 1)
        #expect(adverts[0].destination == rigLB2)
        #expect(Array(adverts[0].packet[20...]) == hexBytes("31 33 67 01 0064 45f2 0ad50063"))
    }

    @Test func gratuitousARPMatchesKeepalived() {
        let frame = VRRPGratuitousARP.frame(for: rigVIP.address, senderHardwareAddress: [0x02, 0x13, 0, 0, 0, 0x11])
        #expect(frame == hexBytes("ffffffffffff021300000011080600010800060400010213000000110ad50063ffffffffffff0ad50063"))
    }
}
