import Foundation
import XCTest

/// The `Metrics` backend end to end: curl scrapes a running pounce and Prometheus'
/// own text parser (prometheus_client from PyPI, installed by `.ci/run`) reads
/// the families back. Its OpenMetrics parser would refuse Pound's format (a
/// counter sample without `_total`), so, as Prometheus scrapes Pound, the text
/// parser is the judge.
final class MetricsTests: XCTestCase {
    private static let parser = """
    import json, sys
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for f in text_string_to_metric_families(open(sys.argv[1]).read()):
        out[f.name] = {"type": f.type, "samples": [[s.labels, s.value] for s in f.samples]}
    print(json.dumps(out))
    """

    func testScrapeParsesWithPoundsFamiliesAndBackendStats() throws {
        let check = PounceProcess.run(["-c", "python3 -c 'import prometheus_client'"], in: "/", executable: "/bin/sh")
        try XCTSkipIf(check.status != 0, "prometheus_client is not installed (pip install prometheus-client)")
        let b1 = try TestBackend(name: "b1")
        let p = try RunningPounce(config: """
        Daemon 0
        LogFacility -
        BackendStats on
        ListenHTTP "front"
            Address 127.0.0.1
            Port {PORT}
            Service "metrics"
                URL "^/metrics$"
                Metrics
            End
            Service "web"
                Backend
                    Address 127.0.0.1
                    Port \(b1.port)
                End
                Backend
                    Address 127.0.0.1
                    Port 1
                    Disabled 1
                End
            End
        End
        """)
        for _ in 0..<3 {
            let c = try TCP(port: p.port)
            c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(c.readResponse()?.header("x-backend"), "b1")
        }

        let scrape = p.directory + "/scrape.txt"
        let headers = p.directory + "/headers.txt"
        let curl = PounceProcess.run(["-s", "-D", headers, "-o", scrape, "http://127.0.0.1:\(p.port)/metrics"],
                                     in: "/", executable: "/usr/bin/curl")
        XCTAssertEqual(curl.status, 0, curl.stderr)
        let head = try String(contentsOfFile: headers, encoding: .utf8)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK"), head)
        XCTAssertTrue(head.contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8"), head)
        let text = try String(contentsOfFile: scrape, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("# EOF\n"), text)

        let script = p.directory + "/parse.py"
        try Self.parser.write(toFile: script, atomically: true, encoding: .utf8)
        let parsed = PounceProcess.run(["python3", script, scrape], in: "/", executable: "/usr/bin/env")
        XCTAssertEqual(parsed.status, 0, parsed.stderr + "\n" + text)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
        func samples(_ family: String) -> [(labels: [String: String], value: Double)] {
            let f = json[family] as? [String: Any]
            return (f?["samples"] as? [[Any]] ?? []).compactMap { pair in
                guard pair.count == 2, let labels = pair[0] as? [String: String], let v = pair[1] as? Double
                else { return nil }
                return (labels, v)
            }
        }
        for family in ["pound_uptime", "pound_workers", "pound_queue", "pound_queue_len", "pound_listener_enabled",
                       "pound_listener_info", "pound_service_enabled", "pound_backends", "pound_backend_state",
                       "pound_backend_requests", "pound_backend_request_time_avg_nanoseconds",
                       "pound_backend_request_stddev_nanoseconds"] {
            XCTAssertNotNil(json[family], "\(family) missing in\n\(text)")
        }
        XCTAssertEqual((json["pound_listener_enabled"] as? [String: Any])?["type"] as? String, "stateset")

        let web = ["listener": "0", "listener_name": "front", "service": "1", "service_name": "web"]
        func backends(_ state: String) -> Double? {
            samples("pound_backends").first { $0.labels == web.merging(["state": state]) { a, _ in a } }?.value
        }
        XCTAssertEqual(backends("total"), 2)
        XCTAssertEqual(backends("enabled"), 1)
        XCTAssertEqual(backends("active"), 1)
        let b1Labels = web.merging(["backend": "0"]) { a, _ in a }
        XCTAssertEqual(samples("pound_backend_requests").first { $0.labels == b1Labels }?.value, 3)
        let avg = samples("pound_backend_request_time_avg_nanoseconds").first { $0.labels == b1Labels }?.value
        XCTAssertGreaterThan(avg ?? 0, 0)
        let disabled = web.merging(["backend": "1", "state": "enabled"]) { a, _ in a }
        XCTAssertEqual(samples("pound_backend_state").first { $0.labels == disabled }?.value, 0)
        XCTAssertEqual(p.stop(), 0)
    }
}
