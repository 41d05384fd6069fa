import Testing
@testable import PoundConfig

/// The `VRRP` block (a Pounce extension): every statement into the model, and errors in Pound's
/// `file:line.col: message` form (a tab advances the column to the next multiple of 8, as in Pound).
/// Serialized: the loader fixture changes the working directory.
@Suite(.serialized) struct VRRPConfigTests {
    private let listener = "ListenHTTP \"web\"\n\tAddress 127.0.0.1\n\tPort 8080\nEnd\n"
    private let service = "Service \"app\"\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 9000\n\tEnd\nEnd\n"

    @Test func everyStatement() {
        let outcome = parse(listener + service + """
            VRRP "lb"
            \tInterface "eth0"
            \tVirtualRouterID 51
            \tPriority 101
            \tVersion 3
            \tAdvertInterval 50
            \tVirtualAddress "10.213.0.99/32" "10.213.0.100/24"
            \tVirtualAddress "10.213.0.101"
            \tNoPreempt
            \tPreemptDelay 7
            \tUnicast "10.213.0.12" "10.213.0.13"
            \tUnicastSource "10.213.0.11"
            \tVirtualMAC on
            \tGARPRepeat 3
            \tGARPDelay 0
            \tNotify "/usr/local/bin/notify"
            \tNotifyMaster "/bin/true master"
            \tNotifyBackup "/bin/true backup"
            \tNotifyFault "/bin/true fault"
            \tNotifyStop "/bin/true stop"
            \tTrack Listener "web" Weight 0 Interval 1 Timeout 1
            \tTrack LoopLag 250 Weight -50 Fall 2 Rise 3
            \tTrack Backends "app" 2 Weight -20
            \tTrack File "/run/healthy" Weight 2
            \tTrack Script "pidof pounce" Weight 2 Interval 3
            End

            """)
        #expect(outcome.messages == [])
        guard let v = outcome.config?.vrrp.first else {
            Issue.record("no VRRP instance")
            return
        }
        #expect(v.name == "lb")
        #expect(v.interface == "eth0")
        #expect(v.virtualRouterID == 51)
        #expect(v.priority == 101)
        #expect(v.version == 3)
        #expect(v.effectiveAdvertInterval == 50)
        #expect(v.virtualAddresses.map(\.addressText) == ["10.213.0.99", "10.213.0.100", "10.213.0.101"])
        #expect(v.virtualAddresses.map(\.prefixLength) == [32, 24, 32])
        #expect(!v.preempt)
        #expect(v.preemptDelay == 7)
        #expect(v.unicastPeers == ["10.213.0.12", "10.213.0.13"])
        #expect(v.unicastSource == "10.213.0.11")
        #expect(v.virtualMAC)
        #expect(v.garpRepeat == 3 && v.garpDelay == 0)
        #expect(v.notify.any == "/usr/local/bin/notify")
        #expect(v.notify.master == "/bin/true master" && v.notify.stop == "/bin/true stop")
        #expect(v.tracks.map(\.signal) == [
            .listener("web"), .loopLag(milliseconds: 250), .backends(service: "app", minimum: 2),
            .file("/run/healthy"), .script("pidof pounce"),
        ])
        #expect(v.tracks.map(\.weight) == [0, -50, -20, 2, 2])
        #expect(v.tracks[0].interval == 1 && v.tracks[0].timeout == 1)
        #expect(v.tracks[1].fall == 2 && v.tracks[1].rise == 3)
        #expect(v.tracks[4].interval == 3)
        #expect(v.tracks[2].range.begin.line == 33)
    }

    @Test func defaultsAreKeepalivedsAndNamesCount() {
        let outcome = parse("""
            VRRP
            \tInterface "eth0"
            \tVirtualRouterID 1
            \tVirtualAddress "192.0.2.1"
            End
            VRRP
            \tInterface "eth1"
            \tVirtualRouterID 1
            \tVersion 3
            \tVirtualAddress "192.0.2.2"
            \tTrack Backends "x"
            End
            Service "x"
            \tBackend
            \t\tAddress 127.0.0.1
            \tEnd
            End

            """)
        #expect(outcome.messages == [])
        let list = outcome.config?.vrrp ?? []
        #expect(list.map(\.name) == ["VI_1", "VI_2"])
        #expect(list.first?.priority == 100)
        #expect(list.first?.version == 2)
        #expect(list.first?.effectiveAdvertInterval == 1)
        #expect(list.last?.effectiveAdvertInterval == 100)
        #expect(list.first?.preempt == true)
        #expect(list.first?.authentication == VRRPAuthenticationSetting.none)
        #expect(list.first?.garpRepeat == 5 && list.first?.garpDelay == 5)
        #expect(list.last?.tracks.first?.signal == .backends(service: "x", minimum: 1))
        #expect(list.last?.tracks.first?.weight == 0)
        #expect(list.last?.tracks.first?.interval == 2)
    }

    @Test func authentication() {
        let base = "VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 51\n\tVirtualAddress \"10.0.0.1\"\n"
        #expect(parse(base + "\tAuthentication PASS \"rigpass1\"\nEnd\n").config?.vrrp.first?.authentication
                == .password("rigpass1"))
        #expect(parse(base + "\tAuthentication AH \"secret\"\nEnd\n").config?.vrrp.first?.authentication == .ah("secret"))
        #expect(parse(base + "\tAuthentication PASS \"longer-than-8\"\nEnd\n").messages
                == ["pound.cfg:5.29-43: the VRRP password must be 1 to 8 characters (keepalived's auth_pass)"])
        #expect(parse(base + "\tAuthentication MD5 \"x\"\nEnd\n").messages
                == ["pound.cfg:5.24-26: unknown authentication type: expected PASS or AH"])
        #expect(parse(base + "\tVersion 3\n\tAuthentication PASS \"x\"\nEnd\n").messages
                == ["pound.cfg:1.1-7.3: VRRP: Authentication exists only in version 2"])
    }

    @Test func errors() {
        let cases: [(String, String)] = [
            ("VRRP\n\tVirtualRouterID 1\n\tVirtualAddress \"10.0.0.1\"\nEnd\n",
             "pound.cfg:1.1-4.3: VRRP: Interface statement is missing"),
            ("VRRP\n\tInterface \"eth0\"\n\tVirtualAddress \"10.0.0.1\"\nEnd\n",
             "pound.cfg:1.1-4.3: VRRP: VirtualRouterID statement is missing"),
            ("VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 1\nEnd\n",
             "pound.cfg:1.1-4.3: VRRP: VirtualAddress statement is missing"),
            ("VRRP\n\tVirtualRouterID 256\nEnd\n", "pound.cfg:2.25-27: value out of allowed range (1..255)"),
            ("VRRP\n\tVersion 4\nEnd\n", "pound.cfg:2.17: VRRP version must be 2 or 3"),
            ("VRRP\n\tVirtualAddress \"10.0.0.256\"\nEnd\n",
             "pound.cfg:2.24-35: invalid IPv4 address or prefix (expected \"A.B.C.D[/N]\")"),
            ("VRRP\n\tVirtualAddress \"fe80::1\"\nEnd\n",
             "pound.cfg:2.24-32: invalid IPv4 address or prefix (expected \"A.B.C.D[/N]\")"),
            ("VRRP\n\tUnicast \"10.0.0.1/24\"\nEnd\n", "pound.cfg:2.17-29: invalid IPv4 address"),
            ("VRRP\n\tInterface \"a-very-long-interface-name\"\nEnd\n", "pound.cfg:2.19-46: invalid interface name"),
            ("VRRP\n\tTrack Process \"x\"\nEnd\n",
             "pound.cfg:2.15-21: unknown Track signal: expected Listener, LoopLag, Backends, File or Script"),
            ("VRRP\n\tTrack File \"/x\" Weight 300\nEnd\n", "pound.cfg:2.32-34: value out of allowed range (-253..253)"),
            ("VRRP\n\tTrack File \"/x\" Colour 3\nEnd\n",
             "pound.cfg:2.25-30: unknown Track option: expected Weight, Interval, Timeout, Fall or Rise"),
            ("VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 1\n\tVersion 2\n\tAdvertInterval 300\n\tVirtualAddress \"10.0.0.1\"\nEnd\n",
             "pound.cfg:1.1-7.3: VRRP: AdvertInterval is in seconds for version 2 (1..255)"),
            ("VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 1\n\tVirtualAddress \"10.0.0.1\"\n\tTrack Listener \"nope\"\nEnd\n",
             "pound.cfg:5.9-29: VRRP: Track Listener \"nope\": no such listener"),
            ("VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 1\n\tVirtualAddress \"10.0.0.1\"\n\tTrack Backends \"nope\" Weight -2\nEnd\n",
             "pound.cfg:5.9-39: VRRP: Track Backends \"nope\": no such service"),
        ]
        for (text, message) in cases {
            #expect(parse(text).messages == [message], "\(text)")
        }
    }

    @Test func sameRouterTwiceOnOneInterfaceIsRefused() {
        let block = "VRRP\n\tInterface \"eth0\"\n\tVirtualRouterID 9\n\tVirtualAddress \"10.0.0.1\"\nEnd\n"
        #expect(parse(block + block).messages == ["pound.cfg:6.1-10.3: VRRP: VirtualRouterID 9 is already used on eth0"])
    }
}
