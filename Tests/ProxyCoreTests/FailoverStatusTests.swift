import Testing
import VRRP
@testable import ProxyCore

/// The VRRP instances in the control API (`GET /vrrp`, the `vrrp` member of `GET /`) and in the
/// metrics (`pounce_vrrp_*`): present only once the high-availability side reports instances.
@Suite struct FailoverStatusTests {
    static func status() -> VRRPStatus {
        var s = VRRPStatus(settings: VRRPRouterSettings(
            name: "VI_1", interface: "eth0", version: .v3, virtualRouterID: 51, priority: 101,
            virtualAddresses: [VRRPVirtualAddress(address: IPv4Address(10, 213, 0, 99), prefixLength: 32)]))
        s.state = .master
        s.effectivePriority = 103
        s.masterAddress = IPv4Address(10, 213, 0, 11)
        s.holdsAddresses = true
        s.transitions = 2
        s.advertsSent = 40
        s.advertsReceived = 3
        s.packetsDiscarded = 1
        return s
    }

    @Test func withoutVRRPTheTreeIsPounds() throws {
        let (router, _) = try ControlRouterTests.router()
        let root = try #require(ControlRouterTests.json(router.respond(method: "GET", uri: "/")))
        #expect(!root.contains("vrrp"))
        #expect(router.respond(method: "GET", uri: "/vrrp") == .json("[]"))
        #expect(!(try MetricsTests.exposition(router).rendered.contains("pounce_vrrp")))
    }

    @Test func instancesAreListedAndCounted() throws {
        let (router, _) = try ControlRouterTests.router()
        router.plane.setFailoverStatus { [Self.status()] }
        let list = try #require(ControlRouterTests.json(router.respond(method: "GET", uri: "/vrrp")))
        for member in [#""name":"VI_1""#, #""state":"MASTER""#, #""priority":103"#, #""base_priority":101"#,
                       #""vrid":51"#, #""version":3"#, #""master":"10.213.0.11""#, #""addresses":["10.213.0.99/32"]"#,
                       #""holds_addresses":true"#, #""adverts_sent":40"#, #""discarded":1"#] {
            #expect(list.contains(member), "\(member) in \(list)")
        }
        let root = try #require(ControlRouterTests.json(router.respond(method: "GET", uri: "/")))
        #expect(root.contains(#""vrrp":[{"#))

        let lines = MetricsTests.lines(try MetricsTests.exposition(router).rendered)
        #expect(lines.contains(#"pounce_vrrp_state{instance="VI_1",pounce_vrrp_state="MASTER"} 1"#))
        #expect(lines.contains(#"pounce_vrrp_state{instance="VI_1",pounce_vrrp_state="BACKUP"} 0"#))
        #expect(lines.contains(#"pounce_vrrp_priority{instance="VI_1",type="effective"} 103"#))
        #expect(lines.contains(#"pounce_vrrp_adverts_total{instance="VI_1",type="discarded"} 1"#))
        #expect(lines.contains(#"pounce_vrrp_transitions_total{instance="VI_1"} 2"#))
        #expect(lines.contains("# TYPE pounce_vrrp_transitions counter"))
        #expect(lines.contains("# TYPE pounce_vrrp_state stateset"))
    }
}
