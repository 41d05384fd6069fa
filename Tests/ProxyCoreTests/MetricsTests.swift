import Testing
import PoundConfig
import Routing
@testable import ProxyCore

@Suite struct MetricsTests {
    static let config = """
    BackendStats on
    Control "/tmp/pounce-metrics.ctl"
    ListenHTTP "front"
        Address 127.0.0.1
        Port 8080
        Service "web"
            Backend
                Address 127.0.0.1
                Port 9001
            End
            Backend
                Address 127.0.0.1
                Port 9002
            End
        End
        Service
            URL "/metrics"
            Metrics
        End
    End
    Service "global"
        Redirect "http://example.org"
    End
    """

    static func exposition(_ router: ControlRouter) throws -> MetricsExposition {
        let tree = ControlSerializer(plane: router.plane, version: router.version).pound()
        return try #require(MetricsCollector.exposition(from: tree))
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    @Test func familiesComeInPoundsOrderWithTypeUnitHelpAndEOF() throws {
        let (router, _) = try ControlRouterTests.router(Self.config)
        let text = try Self.exposition(router).rendered
        let types = Self.lines(text).filter { $0.hasPrefix("# TYPE ") }
        #expect(types == [
            "# TYPE pound_uptime counter", "# TYPE pound_workers gauge", "# TYPE pound_queue gauge",
            "# TYPE pound_queue_len gauge", "# TYPE pound_listener_enabled stateset",
            "# TYPE pound_listener_info info", "# TYPE pound_service_enabled stateset",
            "# TYPE pound_backends gauge", "# TYPE pound_backend_state stateset",
            "# TYPE pound_backend_requests gauge",
        ])
        #expect(text.hasSuffix("\n# EOF\n"))
        #expect(text.contains("""
        # TYPE pound_backends gauge
        # HELP pound_backends Number of backends per service: total, alive, enabled, and active (both alive and enabled).

        """))
        // No request yet: the timing families have no samples and are left out.
        #expect(!text.contains("pound_backend_request_time_avg_nanoseconds"))
    }

    @Test func labelsNumberAndNameEachLevel() throws {
        let (router, _) = try ControlRouterTests.router(Self.config)
        let lines = Self.lines(try Self.exposition(router).rendered)
        // Listener 0 is the control socket: numbered, unnamed.
        #expect(lines.contains(#"pound_listener_info{listener="0",address="/tmp/pounce-metrics.ctl",protocol="http"} 1"#))
        #expect(lines.contains(#"pound_listener_enabled{listener="1",listener_name="front"} 1"#))
        #expect(lines.contains(#"pound_service_enabled{listener="1",listener_name="front",service="0",service_name="web"} 1"#))
        #expect(lines.contains(#"pound_backends{listener="1",listener_name="front",service="0",service_name="web",state="total"} 2"#))
        #expect(lines.contains(#"pound_backend_state{listener="1",listener_name="front",service="0",service_name="web",backend="1",state="alive"} 1"#))
        // An unnamed service carries only its number; a global one no listener.
        #expect(lines.contains(#"pound_service_enabled{listener="1",listener_name="front",service="1"} 1"#))
        #expect(lines.contains(#"pound_service_enabled{service="0",service_name="global"} 1"#))
        #expect(lines.filter { $0.hasPrefix("pound_workers{type=") }.count == 4)
        #expect(lines.contains(#"pound_queue{type="len"} 0"#))
        #expect(lines.contains("pound_queue_len 0"))
    }

    /// An HTTPS listener's count of handshakes closed at the `Client` timeout (the
    /// control interface's `tls_handshake_timeouts`) becomes a Pounce counter.
    @Test func handshakeTimeoutsOfHTTPSListenersAreCounted() throws {
        let (router, _) = try ControlRouterTests.router(Self.config)
        guard case .object(var root) = ControlSerializer(plane: router.plane, version: router.version).pound(),
              case .array(var listeners)? = root["listeners"], case .object(var front) = listeners[1]
        else { return #expect(Bool(false), "unexpected control tree") }
        front["protocol"] = .string("https")
        front["tls_handshake_timeouts"] = .int(3)
        listeners[1] = .object(front)
        root["listeners"] = .array(listeners)
        let text = try #require(MetricsCollector.exposition(from: .object(root))).rendered
        let lines = Self.lines(text)
        #expect(lines.contains("# TYPE pounce_listener_tls_handshake_timeouts counter"))
        #expect(lines.contains(#"pounce_listener_tls_handshake_timeouts_total{listener="1",listener_name="front"} 3"#))
        // A plain listener has no such count.
        #expect(!lines.contains { $0.hasPrefix(#"pounce_listener_tls_handshake_timeouts_total{listener="0""#) })
    }

    @Test func disabledAndDeadBackendsAreCounted() throws {
        let (router, routing) = try ControlRouterTests.router(Self.config)
        let web = try #require(routing.listeners.first?.services.first)
        web.backends[0].setDisabled(true)
        web.backends[1].markDead()
        let samples = try Self.exposition(router).sampleList(.backends)
        func count(_ state: String) -> Double? {
            samples.first { $0.labels.contains(MetricLabel("service_name", "web")) && $0.labels.last == MetricLabel("state", state) }?.value
        }
        #expect(count("total") == 2)
        #expect(count("enabled") == 1)
        #expect(count("alive") == 1)
        #expect(count("active") == 0)
        let state = try Self.exposition(router).sampleList(.backendState)
        #expect(state.contains(MetricSample(labels: [MetricLabel("listener", "1"), MetricLabel("listener_name", "front"),
                                                     MetricLabel("service", "0"), MetricLabel("service_name", "web"),
                                                     MetricLabel("backend", "0"), MetricLabel("state", "enabled")],
                                            value: 0)))
    }

    @Test func backendStatsGiveRequestsMeanAndDeviation() throws {
        let (router, routing) = try ControlRouterTests.router(Self.config)
        let web = try #require(routing.listeners.first?.services.first)
        web.backends[0].statistics.record(nanos: 1000)
        web.backends[0].statistics.record(nanos: 3000)
        let exposition = try Self.exposition(router)
        let requests = exposition.sampleList(.backendRequests)
        #expect(requests.first { $0.labels.contains(MetricLabel("backend", "0")) && $0.labels.contains(MetricLabel("service_name", "web")) }?.value == 2)
        #expect(exposition.sampleList(.backendRequestTime).map(\.value) == [2000])
        #expect(exposition.sampleList(.backendRequestDeviation).map(\.value) == [1000])
        let text = exposition.rendered
        #expect(text.contains("# TYPE pound_backend_request_time_avg_nanoseconds gauge\n# UNIT pound_backend_request_time_avg_nanoseconds nanoseconds\n# HELP pound_backend_request_time_avg_nanoseconds Average time per request spent in backend.\n"))
    }

    @Test func withoutBackendStatsThereAreNoRequestFamilies() throws {
        let text = Self.config.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            .joined(separator: "\n")
        let (router, _) = try ControlRouterTests.router(text)
        let rendered = try Self.exposition(router).rendered
        #expect(!rendered.contains("pound_backend_requests"))
        #expect(rendered.contains("pound_backend_state"))
    }

    @Test func statisticsSnapshotStartsEmpty() {
        let stats = BackendStatistics()
        #expect(stats.snapshot.requests == 0)
        #expect(stats.snapshot.average == nil)
        stats.record(nanos: 5)
        #expect(stats.snapshot.requests == 1)
        #expect(stats.snapshot.deviation == 0)
    }

    @Test func valuesPrintLikePercentDotZeroF() {
        #expect(MetricsExposition.format(2.5) == "2")
        #expect(MetricsExposition.format(3.5) == "4")
        #expect(MetricsExposition.format(1_234_567_890) == "1234567890")
        #expect(MetricsExposition.format(-1) == "-1")
    }

    @Test func labelValuesAreEscaped() {
        var e = MetricsExposition()
        e.add(.listenerEnabled, labels: [MetricLabel("listener_name", "a\"b\\c\nd")], value: 1)
        #expect(e.rendered.contains(#"pound_listener_enabled{listener_name="a\"b\\c\nd"} 1"#))
    }

    @Test func treeWithoutCoreIsRejected() {
        #expect(MetricsCollector.exposition(from: .object(["listeners": .array([])])) == nil)
    }
}
