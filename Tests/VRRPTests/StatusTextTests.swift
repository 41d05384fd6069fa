import Testing
@testable import VRRP

/// A status as the supervisor hands it to its worker: the line reads back as the same status.
@Suite struct StatusTextTests {
    private func sample() throws -> VRRPStatus {
        var s = VRRPStatus(settings: VRRPRouterSettings(
            name: "edge 1; \u{e9}", interface: "eth0", version: .v3, virtualRouterID: 77, priority: 150,
            virtualAddresses: [VRRPVirtualAddress(address: try #require(IPv4Address("10.0.0.99")), prefixLength: 32),
                               VRRPVirtualAddress(address: try #require(IPv4Address("192.168.1.1")), prefixLength: 24)]))
        s.state = .master
        s.effectivePriority = 158
        s.masterAddress = IPv4Address("10.0.0.1")
        s.holdsAddresses = true
        s.lastTransition = 1796627470.25
        s.transitions = 2
        s.advertsSent = 1000
        s.advertsReceived = 3
        s.packetsDiscarded = 1
        return s
    }

    @Test func roundTrips() throws {
        let s = try sample()
        #expect(!s.text.contains("\n"))
        #expect(VRRPStatus(text: Substring(s.text)) == s)
        var fresh = VRRPStatus(settings: VRRPRouterSettings(interface: "", virtualRouterID: 1, virtualAddresses: []))
        fresh.masterAddress = nil
        #expect(VRRPStatus(text: Substring(fresh.text)) == fresh)
    }

    @Test func refusesWhatItDidNotWrite() throws {
        let fields = try sample().text.split(separator: " ").map(String.init)
        var broken: [String] = ["", "x", fields.dropLast().joined(separator: " "), (fields + ["1"]).joined(separator: " ")]
        for (index, bad) in [(0, "zz"), (3, "4"), (4, "LIMBO"), (5, "300"), (7, "10.0.0"), (8, "10.0.0.1/33"), (9, "2")] {
            var f = fields
            f[index] = bad
            broken.append(f.joined(separator: " "))
        }
        for text in broken { #expect(VRRPStatus(text: Substring(text)) == nil, "\(text)") }
    }
}
