import Testing
import PoundConfig
import Routing
@testable import ProxyCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ControlRouterTests {
    static let config = """
    Control "/tmp/pounce-test.ctl"
    ListenHTTP "front"
        Address 127.0.0.1
        Port 8080
        Service "one"
            Backend
                Address 127.0.0.1
                Port 9001
            End
            Emergency
                Address 127.0.0.1
                Port 9002
            End
        End
        Service "sticky"
            Session
                Type Header
                ID "X-Session"
                TTL 300
            End
            Backend
                Address 127.0.0.1
                Port 9003
            End
            Backend
                Address 127.0.0.1
                Port 9004
            End
        End
    End
    Service "global"
        Redirect "http://example.org"
    End
    """

    /// A router over `text`, with the control socket taken as bound.
    static func router(_ text: String = config) throws -> (ControlRouter, RoutingTable) {
        var template = Array("/tmp/pounce-control-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) } ?? "/tmp"
        let path = dir + "/pound.cfg"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        var features = Features()
        features.dns = false
        features.includeDirectory = nil
        let config = try ConfigLoader.load(file: path, features: features, diagnostics: Diagnostics())
        let routing = try RoutingTable.build(config)
        let service = try ControlService(config: config, routing: routing, sockets: [], controlSocket: -1,
                                         version: "4.23")
        return (service.router, routing)
    }

    static func json(_ reply: ControlReply) -> String? {
        if case .json(let text) = reply { return text }
        return nil
    }

    @Test func controlListenerComesFirstAndListsItsControlBackend() throws {
        let (router, _) = try Self.router()
        let text = try #require(Self.json(router.respond(method: "GET", uri: "/listener/0")))
        #expect(text.contains(#""address":"/tmp/pounce-test.ctl""#))
        #expect(text.contains(#""type":"control""#))
        let front = try #require(Self.json(router.respond(method: "GET", uri: "/listener/front")))
        #expect(front.contains(#""name":"front""#))
    }

    @Test func backendObjectHasPoundsMembers() throws {
        let (router, _) = try Self.router()
        let text = try #require(Self.json(router.respond(method: "GET", uri: "/listener/1/one/1")))
        #expect(text == #"{"address":"127.0.0.1:9002", "alive":true, "conn_to":120, "enabled":true, "io_to":120, "kind":"backend", "priority":5, "protocol":"http", "servername":null, "type":"backend", "weight":65535, "ws_to":120}"#)
    }

    @Test func globalServicesByDashOrServicePath() throws {
        let (router, _) = try Self.router()
        let a = Self.json(router.respond(method: "GET", uri: "/listener/-/global"))
        let b = Self.json(router.respond(method: "GET", uri: "/service/0"))
        #expect(a != nil && a == b)
        #expect(a?.contains(#""url":"http://example.org""#) == true)
    }

    @Test func errorsFollowPound() throws {
        let (router, _) = try Self.router()
        #expect(router.respond(method: "GET", uri: "/listener/7") == .status(404))
        #expect(router.respond(method: "GET", uri: "/listener/1/nope") == .status(404))
        #expect(router.respond(method: "GET", uri: "/listener/1/one/5") == .status(404))
        #expect(router.respond(method: "POST", uri: "/core") == .status(405))
        #expect(router.respond(method: "GET", uri: "/bogus") == .status(404))
        #expect(router.respond(method: "GET", uri: "/core?indent=x") == .status(400))
        #expect(router.respond(method: "GET", uri: "/core?indent=81") == .status(400))
        // The control interface cannot be disabled through itself.
        #expect(router.respond(method: "DELETE", uri: "/listener/0") == .status(400))
        #expect(router.respond(method: "DELETE", uri: "/listener/0/0/0") == .status(400))
    }

    @Test func disableAndEnableChangeTheRuntimeState() throws {
        let (router, routing) = try Self.router()
        let service = routing.listeners[0].services[0]
        #expect(router.respond(method: "DELETE", uri: "/listener/1/0/0") == .json("true"))
        #expect(service.backends[0].isDisabled)
        #expect(router.respond(method: "PUT", uri: "/listener/1/one/0") == .json("true"))
        #expect(!service.backends[0].isDisabled)
        #expect(router.respond(method: "DELETE", uri: "/listener/1/one") == .json("true"))
        #expect(service.isDisabled)
        #expect(router.respond(method: "DELETE", uri: "/listener/1") == .json("true"))
        #expect(router.plane.isConfiguredListenerDisabled(0))
        let listed = try #require(Self.json(router.respond(method: "GET", uri: "/listener/1")))
        #expect(listed.hasPrefix(#"{"address":"", "enabled":false"#))
    }

    @Test func sessionsAreAddedAndDeleted() throws {
        let (router, routing) = try Self.router()
        let sticky = routing.listeners[0].services[1]
        let added = try #require(Self.json(router.respond(method: "PUT", uri: "/session/1/sticky/1?key=abc")))
        #expect(added.contains(#""sessions":[{"backend":1, "expire":""#))
        #expect(sticky.listSessions().map(\.key) == ["abc"])
        #expect(router.respond(method: "PUT", uri: "/session/1/sticky?key=abc") == .status(400))
        #expect(router.respond(method: "PUT", uri: "/session/1/sticky/1") == .status(400))
        let deleted = try #require(Self.json(router.respond(method: "DELETE", uri: "/session/1/sticky?key=abc")))
        #expect(deleted.contains(#""sessions":[]"#))
        #expect(sticky.listSessions().isEmpty)
    }

    @Test func indentParameterPrettyPrints() throws {
        let (router, _) = try Self.router()
        let text = try #require(Self.json(router.respond(method: "GET", uri: "/?indent=4")))
        #expect(text.hasPrefix("{\n    \"core\": {\n        \"kind\": \"core\""))
    }

    @Test func logLevelsByListener() throws {
        let (router, _) = try Self.router()
        #expect(router.respond(method: "GET", uri: "/log") == .json(#"{"global":"regular", "kind":"log", "level":"regular"}"#))
        #expect(router.respond(method: "GET", uri: "/log/1")
                == .json(#"{"global":"regular", "kind":"log", "level":"regular", "listener_index":1}"#))
        #expect(router.respond(method: "GET", uri: "/log/9") == .status(404))
    }

    @Test func controlStatementAfterAListenerTakesItsPlace() throws {
        let text = """
        ListenHTTP
            Address 127.0.0.1
            Port 8080
            Service
                Backend
                    Address 127.0.0.1
                    Port 9001
                End
            End
        End
        Control "/tmp/late.ctl"
        """
        let (router, _) = try Self.router(text)
        let second = try #require(Self.json(router.respond(method: "GET", uri: "/listener/1")))
        #expect(second.contains(#""address":"/tmp/late.ctl""#))
    }
}
