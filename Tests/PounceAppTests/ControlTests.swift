import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The control interface end to end: curl over the `Control` UNIX socket steers a
/// running pounce, and a `Control` backend answers the same API over TCP.
@Suite struct ControlTests {
    private func curl(_ socket: String, _ method: String, _ path: String) throws -> (status: Int, body: String) {
        try ControlSocket.request(socket, method, path)
    }

    private func backendOf(_ port: Int) throws -> String? {
        let c = try TCP(port: port)
        c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        return c.readResponse()?.header("x-backend")
    }

    @Test func disablingABackendOverTheSocketStopsItsTraffic() throws {
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try RunningPounce(config: """
        Daemon 0
        LogFacility -
        Control "pounce.ctl"
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service "api"
                URL "^/control"
                Control
            End
            Service "web"
                Backend
                    Address 127.0.0.1
                    Port \(b1.port)
                End
                Backend
                    Address 127.0.0.1
                    Port \(b2.port)
                End
            End
        End
        """)
        let socket = p.directory + "/pounce.ctl"
        var info = stat()
        #expect(stat(socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)

        let listing = try curl(socket, "GET", "/listener/1/web?indent=2")
        #expect(listing.status == 200)
        #expect(listing.body.contains("\"name\": \"web\""))
        #expect(listing.body.contains("\"address\": \"127.0.0.1:\(b1.port)\""))

        let disabled = try curl(socket, "DELETE", "/listener/1/web/0")
        #expect(disabled.status == 200 && disabled.body == "true")
        for _ in 0..<6 { #expect(try backendOf(p.port) == "b2") }
        let backend = try curl(socket, "GET", "/listener/1/web/0")
        #expect(backend.body.contains("\"enabled\":false"))

        #expect(try curl(socket, "PUT", "/listener/1/web/0").status == 200)
        var seen = Set<String>()
        for _ in 0..<10 { if let b = try backendOf(p.port) { seen.insert(b) } }
        #expect(seen == ["b1", "b2"])

        #expect(try curl(socket, "GET", "/listener/1/nothing").status == 404)
        #expect(try curl(socket, "DELETE", "/listener/0").status == 400)
        #expect(p.stop() == 0)
        #expect(access(socket, F_OK) != 0)
    }

    @Test func theControlBackendAnswersOverHTTP() throws {
        let p = try RunningPounce(config: """
        Daemon 0
        LogFacility -
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service
                Control
            End
        End
        """)
        defer { p.stop() }
        let c = try TCP(port: p.port)
        c.send("GET /core HTTP/1.0\r\n\r\n")
        let reply = try #require(c.readResponse())
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/json")
        #expect(reply.body.hasPrefix("{\"kind\":\"core\", \"pid\":"))
        #expect(reply.body.contains("\"version\":\"4.23\""))
    }
}
