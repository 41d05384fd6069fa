import Testing
import PoundConfig
@testable import Routing

@Suite struct RoutingTableTests {
    @Test func backendsAreListedOnceAndNamedBackendsAreSeparateInstances() throws {
        let t = try routing("""
        Backend "shared"
          Address 127.0.0.1
          Port 9000
        End
        ListenHTTP
          Service "a"
            UseBackend "shared"
          End
        End
        ListenHTTP
          Port 8081
          Service "b"
            UseBackend "shared"
        \(backend(9001, emergency: true))  End
        End
        Service "g"
        \(backend(9002))End
        """)
        #expect(t.allBackends.count == 4)
        #expect(Set(t.allBackends.map { ObjectIdentifier($0) }).count == 4)
        let a = t.listeners[0].services[0], b = t.listeners[1].services[0]
        #expect(a.backends[0] !== b.backends[0])
        #expect(b.backends.map(\.isEmergency) == [false, true])
        #expect(b.backends.map(\.id) == [0, 1])
        a.backendFailed(a.backends[0])
        #expect(b.backends[0].isAlive)
        #expect(t.listeners[0].ownServiceCount == 1)
        #expect(t.listeners[0].services.map(\.name) == ["a", "g"])
        #expect(t.globalServices[0].listenerIndex == nil)
    }

    @Test func displayNames() throws {
        let t = try routing("""
        ListenHTTP
          Service "s"
            Backend
              Address 127.0.0.1
              Port 8080
            End
            Backend
              Address ::1
              Port 8081
            End
            Backend
              Address "/run/app.sock"
            End
          End
          Service
            Redirect 301 "https://example.org/new"
          End
          Service
            Error 403
          End
        End
        """)
        let s = t.listeners[0].services
        #expect(s[0].backends.map(\.displayName) == ["127.0.0.1:8080", "[::1]:8081", "/run/app.sock"])
        #expect(s[0].backends[2].address == .unix(path: "/run/app.sock"))
        #expect(s[1].backends[0].displayName == "redirect:https://example.org/new")
        #expect(s[1].name == "-")
        #expect(s[2].backends[0].displayName == "error:403")
        // Special backends are kept, with Pound's priority 1, and never die.
        #expect(s[2].backends[0].priority == 1)
        #expect(!s[2].backendFailed(s[2].backends[0]))
        #expect(s[2].chooseBackend(for: request("GET", "/"))?.displayName == "error:403")
    }

    @Test func acmeServiceTakesItsPlace() throws {
        let f = Fixture()
        let t = try routing("""
        ListenHTTP
          Service "first"
            URL "^/first"
        \(backend(9001))  End
          ACME "@DIR@"
          Service "all"
        \(backend(9002))  End
        End
        """, fixture: f)
        let services = t.listeners[0].services
        #expect(services.count == 3)
        #expect(services[1].acmeChallenge?.directory == f.directory)
        #expect(services[1].backends[0].acmeDirectory == f.directory)
        var r = request("GET", "/.well-known/acme-challenge/token-1")
        #expect(t.listeners[0].select(&r).service === services[1])
        #expect(try Template("$1").expand(r) == "token-1")
        #expect(selected(t, request("GET", "/x")) == "all")
    }

    @Test func tunnelListenersHaveNoServices() throws {
        let t = try routing("""
        Tunnel
          Port 2222
          Backend
            Address 127.0.0.1
            Port 22
          End
        End
        ListenHTTP
          Service "web"
        \(backend(9000))  End
        End
        """)
        #expect(t.listeners.count == 2)
        #expect(t.listeners[0].services.isEmpty)
        #expect(selected(t, request("GET", "/"), listener: 0) == "503")
        #expect(selected(t, request("GET", "/"), listener: 1) == "web")
    }
}
