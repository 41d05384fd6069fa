import Testing
@testable import PoundConfig

/// `HealthCheck...` (a Pounce extension): parsing into the backend and service models,
/// and errors in Pound's `file:line.col: message` form.
/// Serialized: the loader fixture changes the working directory of the process.
@Suite(.serialized) struct HealthCheckConfigTests {
    private func server(_ config: PoundConfiguration?, service: Int = 0, backend: Int = 0) -> Backend.Server? {
        guard let b = config?.services[service].backends.normal[backend], case .regular(let s) = b.kind else { return nil }
        return s
    }

    @Test func backendCheckWithEverySetting() {
        let outcome = parse("""
            Service
            \tBackend
            \t\tAddress 10.0.0.1
            \t\tPort 8080
            \t\tHealthCheck "HEAD /check.txt"
            \t\tHealthCheckExpect 2xx
            \t\tHealthCheckInterval 4
            \t\tHealthCheckRise 5
            \t\tHealthCheckFall 6
            \t\tHealthCheckTimeout 7
            \tEnd
            End

            """)
        #expect(outcome.messages == [])
        let check = server(outcome.config)?.httpCheck
        #expect(check?.method == "HEAD")
        #expect(check?.path == "/check.txt")
        #expect(check?.expect == 200...299)
        #expect(check?.interval == 4)
        #expect(check?.rise == 5)
        #expect(check?.fall == 6)
        #expect(check?.timeout == 7)
        #expect(check?.range.begin.line == 5)
    }

    @Test func defaults() {
        let outcome = parse("Alive 9\nService\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHealthCheck \"/\"\n\tEnd\nEnd\n")
        let check = server(outcome.config)?.httpCheck
        #expect(check == HTTPHealthCheck(method: "GET", path: "/"))
        #expect(check?.expect == 200...399)
        #expect(check?.rise == 2 && check?.fall == 3)
        #expect(check?.effectiveInterval(alive: 9) == 9)
        #expect(check?.effectiveTimeout(alive: 9) == 9)
    }

    @Test func serviceLevelCheck() {
        let outcome = parse("""
            Service
            \tHealthCheck "GET /health"
            \tHealthCheckExpect 204
            \tBackend
            \t\tAddress 10.0.0.1
            \tEnd
            \tBackend
            \t\tAddress 10.0.0.2
            \t\tHealthCheck "OPTIONS /"
            \tEnd
            End

            """)
        #expect(outcome.messages == [])
        #expect(outcome.config?.services[0].healthCheck?.path == "/health")
        #expect(outcome.config?.services[0].healthCheck?.expect == 204...204)
        #expect(server(outcome.config)?.httpCheck == nil)
        #expect(server(outcome.config, backend: 1)?.httpCheck?.method == "OPTIONS")
    }

    @Test func namedBackendKeepsItsCheck() {
        let outcome = parse("""
            Backend "app"
            \tAddress 10.0.0.1
            \tHealthCheck "HEAD /ping"
            End
            Service
            \tUseBackend "app"
            End

            """)
        #expect(outcome.messages == [])
        #expect(server(outcome.config)?.httpCheck?.path == "/ping")
    }

    @Test func tuningNeedsHealthCheckFirst() {
        let outcome = parse("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHealthCheckRise 3\n\tEnd\nEnd\n")
        #expect(!outcome.succeeded)
        #expect(outcome.messages == ["pound.cfg:4.17-31: HealthCheck must be used before this statement"])
    }

    @Test func badRequestText() {
        let outcome = parse("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHealthCheck \"GET check\"\n\tEnd\nEnd\n")
        #expect(outcome.messages == ["pound.cfg:4.29-39: invalid health check request path"])
        let three = parse("Service\n\tHealthCheck \"GET / HTTP/1.1\"\nEnd\n")
        #expect(three.messages == ["pound.cfg:2.21-36: invalid health check request: expected \"[METHOD] PATH\""])
    }

    @Test func expectForms() {
        #expect(HealthCheckStatements.statusRange("200") == 200...200)
        #expect(HealthCheckStatements.statusRange("3XX") == 300...399)
        #expect(HealthCheckStatements.statusRange("200-204") == 200...204)
        #expect(HealthCheckStatements.statusRange("204-200") == nil)
        #expect(HealthCheckStatements.statusRange("6xx") == nil)
        #expect(HealthCheckStatements.statusRange("99") == nil)
        #expect(HealthCheckStatements.statusRange("abc") == nil)
        let outcome = parse("Service\n\tHealthCheck \"/\"\n\tHealthCheckExpect 700\nEnd\n")
        #expect(outcome.messages == ["pound.cfg:3.27-29: invalid status code or range"])
    }

    @Test func rangeChecks() {
        let outcome = parse("Service\n\tHealthCheck \"/\"\n\tHealthCheckFall 0\nEnd\n")
        #expect(outcome.messages == ["pound.cfg:3.25: value out of allowed range (>= 1)"])
    }
}
