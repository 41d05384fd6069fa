import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// One Pounce with a VRRP block on one end of a veth pair (root only): alone on its link it becomes
/// master, and everything around the router shows it: the address on the interface, the notify
/// hooks, `GET /vrrp`, the metrics, the status page, the tracked weight, stale-address removal at
/// start, and priority 0 plus address removal on SIGTERM.
final class VRRPSingleNodeTests: XCTestCase {
    private var interface = ""

    /// A veth pair whose other end nobody listens on: the link of a node without peers.
    private func makeLink() throws {
        guard getuid() == 0 else { throw XCTSkip("VRRP needs root (raw sockets, netlink)") }
        interface = "pva\(getpid() % 10_000)"
        let peer = "pvb\(getpid() % 10_000)"
        try shell("ip link add \(interface) type veth peer name \(peer) && ip addr add 10.233.0.1/24 dev \(interface) "
                  + "&& ip link set \(peer) up && ip link set \(interface) up")
    }

    override func tearDown() {
        if !interface.isEmpty { _ = try? shell("ip link del \(interface)") }
    }

    @discardableResult
    private func shell(_ command: String) throws -> String {
        let result = PounceProcess.run(["-c", command], in: "/", executable: "/bin/sh")
        guard result.status == 0 else { throw HarnessError("\(command): \(result.stdout)\(result.stderr)") }
        return result.stdout + result.stderr
    }

    private func holdsVIP() -> Bool {
        ((try? shell("ip -4 addr show dev \(interface)")) ?? "").contains("10.233.0.99/32")
    }

    private func waitUntil(_ timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func testAloneItBecomesMasterAndReportsItEverywhere() throws {
        try aloneItBecomesMasterAndReportsItEverywhere(extraArguments: [])
    }

    /// The same under a supervisor (`-F`): VRRP runs there, its tracks ask the worker over
    /// their link, and the worker's control API, metrics and status page show what the
    /// supervisor tells it.
    func testUnderASupervisorItBecomesMasterAndReportsItEverywhere() throws {
        try aloneItBecomesMasterAndReportsItEverywhere(extraArguments: ["-F"])
    }

    private func aloneItBecomesMasterAndReportsItEverywhere(extraArguments: [String]) throws {
        try makeLink()
        let backend = try TestBackend(name: "b1")
        let dir = PounceProcess.temporaryDirectory()
        let healthy = dir + "/healthy"
        let scripted = dir + "/scripted"
        let notifyLog = dir + "/notify.log"
        PounceProcess.write("", to: healthy)
        PounceProcess.write("", to: scripted)
        PounceProcess.write("#!/bin/sh\necho \"$*\" >> \(notifyLog)\n", to: dir + "/notify.sh")
        PounceProcess.write("#!/bin/sh\necho stopped >> \(notifyLog)\n", to: dir + "/stop.sh")
        chmod(dir + "/notify.sh", 0o755)
        chmod(dir + "/stop.sh", 0o755)
        // A copy of the address left behind by a killed predecessor.
        try shell("ip addr add 10.233.0.99/32 dev \(interface)")

        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            Control "\(dir)/ctl"
            ListenHTTP "web"
                Address 127.0.0.1
                Port {PORT}
                Service "status"
                    URL "^/status"
                    Stats
                End
                Service "metrics"
                    URL "^/metrics"
                    Metrics
                End
                Service "app"
                    Backend
                        Address 127.0.0.1
                        Port \(backend.port)
                    End
                End
            End
            VRRP "edge"
                Interface "\(interface)"
                VirtualRouterID 77
                Priority 150
                Version 3
                AdvertInterval 20
                VirtualAddress "10.233.0.99/32"
                Notify "\(dir)/notify.sh"
                NotifyStop "\(dir)/stop.sh"
                Track File "\(healthy)" Weight 5 Interval 1
                Track Listener "web" Weight 0 Interval 1
                Track Backends "app" 1 Weight -20 Interval 1
                Track LoopLag 200 Weight -30 Interval 1
                Track Script "test -f '\(scripted)'" Weight 3 Interval 1 Timeout 1
            End
            """, extraArguments: extraArguments)
        XCTAssertTrue(p.waitForLog("VRRP_Instance(edge) removing VIPs"), p.log)
        // v3 at 0.2 s: Master_Down_Interval = 0.6 s + skew.
        XCTAssertTrue(waitUntil(5) { holdsVIP() }, p.log)
        XCTAssertTrue(p.waitForLog("VRRP_Instance(edge) Entering MASTER STATE"), p.log)
        XCTAssertTrue(waitUntil(3) { PounceProcess.read(notifyLog).contains("INSTANCE edge MASTER 158") },
                      PounceProcess.read(notifyLog))

        // A supervisor's worker hears of the state within a second.
        XCTAssertTrue(waitUntil(3) {
            ((try? self.shell("curl -s --unix-socket \(dir)/ctl http://localhost/vrrp")) ?? "").contains(#""state":"MASTER""#)
        })
        let status = try shell("curl -s --unix-socket \(dir)/ctl http://localhost/vrrp")
        for member in [#""name":"edge""#, #""state":"MASTER""#, #""priority":158"#, #""base_priority":150"#,
                       #""holds_addresses":true"#, #""master":"10.233.0.1""#, #""interface":"\#(interface)""#] {
            XCTAssertTrue(status.contains(member), "\(member) in \(status)")
        }

        let metrics = try shell("curl -s http://127.0.0.1:\(p.port)/metrics")
        XCTAssertTrue(metrics.contains(#"pounce_vrrp_state{instance="edge",pounce_vrrp_state="MASTER"} 1"#), metrics)
        XCTAssertTrue(metrics.contains(#"pounce_vrrp_priority{instance="edge",type="effective"} 158"#), metrics)
        // Pound's own families stay as they were, and the scrape parses with the parser
        // MetricsTests uses; Pounce's families are among what it reads.
        XCTAssertTrue(metrics.contains("pound_listener_enabled"))
        if system("python3 -c 'import prometheus_client' 2>/dev/null") == 0 {
            PounceProcess.write(metrics, to: dir + "/scrape.txt")
            let names = try shell("""
                python3 -c 'import sys; from prometheus_client.parser import text_string_to_metric_families as f; print(" ".join(m.name for m in f(open(sys.argv[1]).read())))' \(dir)/scrape.txt
                """)
            for family in ["pounce_vrrp_state", "pounce_vrrp_priority", "pounce_vrrp_transitions", "pounce_vrrp_adverts"] {
                XCTAssertTrue(names.split(separator: " ").contains { $0.trimmingCharacters(in: .whitespacesAndNewlines) == family },
                              "\(family) not parsed: \(names)")
            }
        }

        if let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            let dom = try shell("\(chromium) --headless=new --no-sandbox --disable-gpu --no-first-run "
                                + "--user-data-dir=\(PounceProcess.temporaryDirectory()) --virtual-time-budget=3000 "
                                + "--dump-dom http://127.0.0.1:\(p.port)/status 2>/dev/null")
            XCTAssertTrue(dom.contains(">VRRP<"), String(dom.prefix(2000)))
            XCTAssertTrue(dom.contains("class=\"vrrp\""), String(dom.prefix(2000)))
            XCTAssertTrue(dom.contains(">MASTER<"), String(dom.prefix(2000)))
        }

        // The tracked file goes away: its +5 goes with it; then the script's +3.
        unlink(healthy)
        XCTAssertTrue(waitUntil(4) {
            ((try? shell("curl -s --unix-socket \(dir)/ctl http://localhost/vrrp")) ?? "").contains(#""priority":153"#)
        })
        XCTAssertTrue(p.waitForLog("Track File \"\(healthy)\" failed, priority 153"), p.log)
        unlink(scripted)
        XCTAssertTrue(waitUntil(4) {
            ((try? shell("curl -s --unix-socket \(dir)/ctl http://localhost/vrrp")) ?? "").contains(#""priority":150"#)
        })
        XCTAssertTrue(p.waitForLog("failed, priority 150"), p.log)
        // The event loops answer well within 200 ms, and the listener accepts: no other change.
        XCTAssertFalse(p.log.contains("Track LoopLag"), p.log)
        XCTAssertFalse(p.log.contains("Track Listener"), p.log)

        // SIGTERM: priority 0, the address released, the stop hook run, exit 0.
        XCTAssertEqual(p.stop(signal: SIGTERM), 0, p.log)
        XCTAssertFalse(holdsVIP(), p.log)
        XCTAssertTrue(p.log.contains("VRRP_Instance(edge) sent 0 priority"), p.log)
        XCTAssertTrue(PounceProcess.read(notifyLog).contains("stopped"), PounceProcess.read(notifyLog))
        XCTAssertTrue(PounceProcess.read(notifyLog).contains("INSTANCE edge STOP"), PounceProcess.read(notifyLog))
    }

    /// Under a supervisor, one crash does not move the address, but workers that cannot be
    /// kept running do: the third quick death in a row puts the instance into FAULT (it gives
    /// the address away), and it comes back once a worker serves again.
    func testUnderASupervisorOnlyACrashLoopFaults() throws {
        try makeLink()
        let backend = try TestBackend(name: "b1")
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    Backend
                        Address 127.0.0.1
                        Port \(backend.port)
                    End
                End
            End
            VRRP "edge"
                Interface "\(interface)"
                VirtualRouterID 78
                Priority 150
                Version 3
                AdvertInterval 20
                VirtualAddress "10.233.0.99/32"
            End
            """, extraArguments: ["-F"])
        defer { p.stop() }
        XCTAssertTrue(waitUntil(5) { holdsVIP() }, p.log)
        let supervisor = p.process.processIdentifier
        func worker() -> pid_t? {
            PounceProcess.read("/proc/\(supervisor)/task/\(supervisor)/children").split(separator: " ").compactMap { pid_t($0) }.first
        }
        func killWorkerOnceServing() {
            let before = p.log.components(separatedBy: " serves").count
            if let w = worker() { kill(w, SIGKILL) }
            _ = waitUntil(10) { p.log.components(separatedBy: " serves").count > before }
        }
        // One crash: replaced, the address stays.
        killWorkerOnceServing()
        XCTAssertTrue(holdsVIP(), p.log)
        XCTAssertFalse(p.log.contains("FAULT"), p.log)
        sleep(2)
        // Three quick ones: FAULT, the address goes; the fourth worker stays up and it returns.
        for _ in 0..<3 { killWorkerOnceServing() }
        XCTAssertTrue(p.waitForLog("VRRP_Instance(edge) no worker can be kept running, FAULT"), p.log)
        XCTAssertTrue(p.waitForLog("VRRP_Instance(edge) Entering FAULT STATE"), p.log)
        XCTAssertTrue(p.waitForLog("VRRP_Instance(edge) a worker serves again"), p.log)
        XCTAssertTrue(waitUntil(5) { holdsVIP() }, p.log)
    }

    /// The classic tutorial's `User "www-data"` and a VRRP block together: the proxy gives up root
    /// but keeps CAP_NET_RAW and CAP_NET_ADMIN, so it still becomes master, adds the address and,
    /// on SIGTERM, removes it.
    func testAPrivilegeDropKeepsWhatVRRPNeeds() throws {
        try makeLink()
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            User "nobody"
            Group "nogroup"
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    Error 503
                End
            End
            VRRP
                Interface "\(interface)"
                VirtualRouterID 78
                Priority 150
                Version 3
                AdvertInterval 20
                VirtualAddress "10.233.0.99/32"
            End
            """)
        XCTAssertTrue(waitUntil(5) { holdsVIP() }, p.log)
        let status = PounceProcess.read("/proc/\(p.process.processIdentifier)/status")
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        let nobody = getpwnam("nobody").map { String($0.pointee.pw_uid) } ?? "65534"
        XCTAssertEqual(uid?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.map(String.init), nobody,
                       status)
        // CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing else.
        XCTAssertTrue(status.contains("CapEff:\t0000000000003400"), status)
        XCTAssertEqual(p.stop(signal: SIGTERM), 0, p.log)
        XCTAssertFalse(holdsVIP(), p.log)
        XCTAssertFalse(p.log.contains("Operation not permitted"), p.log)
    }

    func testAnInterfaceThatDoesNotExistStopsTheStart() throws {
        let dir = PounceProcess.temporaryDirectory()
        PounceProcess.write("""
            ListenHTTP
                Address 127.0.0.1
                Port \(FreePort.next())
            End
            VRRP
                Interface "nosuch0"
                VirtualRouterID 9
                VirtualAddress "10.233.0.98"
            End

            """, to: dir + "/pound.cfg")
        let r = PounceProcess.run(["-e", "-f", "pound.cfg"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("pound.cfg:5.1-9.3: VRRP VI_1: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("nosuch0"), r.stderr)
    }
}
