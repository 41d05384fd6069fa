#if canImport(Glibc)
import Glibc
#endif
import HTTPWire
import PoundConfig
import Testing
@testable import RequestLog

/// Each format specifier on its own, including the corner cases of Pound's printers.
@Suite struct SpecifierTests {
    @Test func percentAndLiterals() {
        #expect(Fixture.render("100%% [%m]") == "100% [GET]")
    }

    @Test func clientAndPeerAddresses() {
        var r = Fixture.record()
        r.clientAddress = "192.0.2.77"
        r.peerAddress = "198.51.100.1"
        #expect(Fixture.render("%a %h", r) == "192.0.2.77 198.51.100.1")
        // Anonymise touches %a only.
        #expect(Fixture.render("%a %h", r, anonymise: true) == "192.0.2.0 198.51.100.1")
        r.clientAddress = "2001:db8::17"
        #expect(Fixture.render("%a", r, anonymise: true) == "2001:db8::0")
        r.clientAddress = "socket"
        #expect(Fixture.render("%a", r, anonymise: true) == "socket")
    }

    @Test func listenerAddressAndPort() {
        #expect(Fixture.render("%A:%p") == "127.0.0.1:40123")
        var r = Fixture.record()
        r.listener = RequestLogListener(name: nil, location: "f:1", address: "/run/p.sock", port: nil)
        #expect(Fixture.render("%A %p %{listener}N", r) == "/run/p.sock - -")
    }

    @Test func responseSizes() {
        #expect(Fixture.render("%B %b", Fixture.record(bytes: 0)) == "0 -")
        #expect(Fixture.render("%B %b", Fixture.record(bytes: 18_446_744_073_709_551_615))
            == "18446744073709551615 18446744073709551615")
    }

    @Test func processingTimes() {
        let r = Fixture.record(elapsedNanoseconds: 2_345_678_901)
        #expect(Fixture.render("%T|%{s}T|%{f}T|%{ms}T|%{us}T|%D", r) == "2|2|2.345|2345|2345678|2345678")
        // The nanosecond field borrows across a second boundary.
        var wrap = Fixture.record()
        wrap.startTime = timespec(tv_sec: 10, tv_nsec: 900_000_000)
        wrap.endTime = timespec(tv_sec: 11, tv_nsec: 100_000_000)
        #expect(Fixture.render("%{f}T %D", wrap) == "0.200 200000")
        #expect(Fixture.render("%{f}T", Fixture.record(elapsedNanoseconds: 0)) == "0.000")
    }

    @Test func scheme() {
        var r = Fixture.record()
        #expect(Fixture.render("%H", r) == "http")
        r.isTLS = true
        #expect(Fixture.render("%H", r) == "https")
    }

    @Test func headers() {
        let head = Fixture.head(headers: ["host": "a", "X-Dup": "first", "x-dup": "second", "X-Empty": ""])
        let r = Fixture.record(head: head)
        #expect(Fixture.render("[%{X-DUP}i][%{x-missing}i][%{X-Missing}I][%{X-Empty}I]", r)
            == "[first][][-][]")
    }

    @Test func remoteLogNameIsADash() {
        #expect(Fixture.render("%l") == "-")
    }

    @Test func objectNamesAndLocations() {
        #expect(Fixture.render("%{listener}N %{service}N %{backend}N") == "main default 127.0.0.1:40124")
        #expect(Fixture.render("%{listener}L %{service}L %{backend}L")
            == "pound.cfg:3.1-9.3 pound.cfg:4.9-8.11 pound.cfg:5.17-7.19")
        var r = Fixture.record()
        r.service = nil
        r.backend = nil
        #expect(Fixture.render("%{service}N %{backend}N %{service}L %{backend}L", r) == "- - - -")
        r.service = RequestLogObject(name: nil, location: "x:1")
        #expect(Fixture.render("%{service}N", r) == "-")
    }

    @Test func methodAndRequestLine() {
        var r = Fixture.record(head: HTTPRequestHead(method: "DELETE", uri: "/new?x", version: .http1_0))
        #expect(Fixture.render("%m|%r", r) == "DELETE|DELETE /new?x HTTP/1.0")
        // %r is the line as received, before rewriting.
        r.originalRequestLine = "DELETE /old HTTP/1.0"
        #expect(Fixture.render("%r|%U", r) == "DELETE /old HTTP/1.0|/new")
    }

    @Test func threadID() {
        #expect(Fixture.render("%P") == "7f00ab")
        var r = Fixture.record()
        r.threadID = nil
        let expected = String(UInt(pthread_self()), radix: 16)
        #expect(Fixture.render("%P", r) == expected)
    }

    @Test(arguments: [
        ("/p?a=1&b=2", "/p", "?a=1&b=2"),
        ("/p", "/p", ""),
        ("/p?", "/p", ""),
        ("/p?a?b", "/p?a", "?b"),
        ("?only", "?only", ""),
    ])
    func pathAndQuery(uri: String, path: String, query: String) {
        #expect(Fixture.render("%U|%q", Fixture.record(head: Fixture.head(uri))) == "\(path)|\(query)")
    }

    @Test func status() {
        #expect(Fixture.render("%s|%>s|%{x}s") == "200|HTTP/1.1 200 OK|HTTP/1.1 200 OK")
        // A special backend leaves no status line: Pound's reason table, or "-".
        #expect(Fixture.render("%s|%>s", Fixture.record(status: 302, statusLine: nil)) == "302|302 -")
        #expect(Fixture.render("%>s", Fixture.record(status: 503, statusLine: nil)) == "503 Service Unavailable")
        #expect(Fixture.render("[%s]", Fixture.record(status: 99)) == "[ 99]")
    }

    @Test func commonTime() {
        let expected = Fixture.strftime("[%d/%b/%Y:%H:%M:%S %z]", Int(Fixture.start.tv_sec))
        #expect(Fixture.render("%t") == expected)
        #expect(Fixture.render("%{begin:}t") == expected)
        // The cached text is per second: the next second renders anew.
        var r = Fixture.record()
        r.startTime.tv_sec += 1
        #expect(Fixture.render("%t", r) == Fixture.strftime("[%d/%b/%Y:%H:%M:%S %z]", Int(r.startTime.tv_sec)))
        #expect(Fixture.render("%t") == expected)
    }

    @Test func strftimeAndEpochTimes() {
        let r = Fixture.record(elapsedNanoseconds: 2_000_000_001)
        let s = Int(Fixture.start.tv_sec)
        #expect(Fixture.render("%{%Y-%m-%d}t", r) == Fixture.strftime("%Y-%m-%d", s))
        #expect(Fixture.render("%{end:%H:%M:%S}t", r) == Fixture.strftime("%H:%M:%S", s + 2))
        #expect(Fixture.render("%{s}t %{msec}t %{usec}t", r) == "1709212455 1709212455123 1709212455123456")
        #expect(Fixture.render("%{msec_frac}t %{usec_frac}t %{end:msec_frac}t", r) == "123 123456 123")
        var early = Fixture.record()
        early.startTime.tv_nsec = 4_000
        #expect(Fixture.render("%{msec_frac}t.%{usec_frac}t", early) == "000.000004")
    }

    @Test func userName() {
        func user(_ auth: String?) -> String {
            var headers: HTTPHeaders = ["Host": "h"]
            if let auth { headers.append("Authorization", auth) }
            return Fixture.render("%u", Fixture.record(head: Fixture.head(headers: headers)))
        }
        #expect(user("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == "Aladdin")
        #expect(user("basic   dTpw") == "u")
        #expect(user(nil) == "-")
        #expect(user("Bearer abc") == "-")
        #expect(user("Basic bm9jb2xvbg==") == "-") // "nocolon"
        #expect(user("Basic !!!") == "-")
        #expect(user("Basic \"dTpw\"") == "-")
        var r = Fixture.record()
        r.userName = "engine"
        #expect(Fixture.render("%u", r) == "engine")
    }

    @Test func serverName() {
        func vhost(_ host: String?) -> String {
            var headers = HTTPHeaders()
            if let host { headers.append("Host", host) }
            return Fixture.render("%v", Fixture.record(head: Fixture.head(headers: headers)))
        }
        #expect(vhost("example.com:8080") == "example.com")
        #expect(vhost("example.com") == "example.com")
        #expect(vhost("[::1]:80") == "[::1]")
        #expect(vhost(nil) == "127.0.0.1")
    }

    @Test func formatWithoutSegmentsIsEmpty() {
        #expect(Fixture.format("").isEmpty)
        #expect(!Fixture.format("x").isEmpty)
    }
}
