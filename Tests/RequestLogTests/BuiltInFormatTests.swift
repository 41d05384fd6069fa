import HTTPWire
import PoundConfig
import Testing
@testable import RequestLog

/// The six built-in formats against the lines Pound 4.23 writes in its loglevrun test
/// (a GET of /echo/foo with `Host: example.com:PORT`, answered 200 with an empty body).
@Suite struct BuiltInFormatTests {
    let formats = RequestLogFormats(configuration: PoundConfiguration())
    var record: RequestLogRecord {
        var r = Fixture.record()
        r.request.headers.append("User-Agent", "HTTP-Tiny/0.088")
        return r
    }

    @Test func levelZeroLogsNothing() {
        #expect(formats.formatter(for: .number(0)) == nil)
    }

    @Test func regular() throws {
        let f = try #require(formats.formatter(for: .number(1)))
        #expect(f.format(record) == "127.0.0.1 GET /echo/foo HTTP/1.1 - HTTP/1.1 200 OK")
    }

    @Test func extended() throws {
        let f = try #require(formats.formatter(for: .number(2)))
        #expect(f.format(record) ==
            "127.0.0.1 GET /echo/foo HTTP/1.1 - HTTP/1.1 200 OK (example.com:40123/default -> 127.0.0.1:40124) 0.001 sec")
    }

    @Test func vhostCombined() throws {
        let f = try #require(formats.formatter(for: .number(3)))
        let t = Fixture.strftime("[%d/%b/%Y:%H:%M:%S %z]", Int(Fixture.start.tv_sec))
        #expect(f.format(record) ==
            "example.com:40123 127.0.0.1 - - \(t) \"GET /echo/foo HTTP/1.1\" 200 - \"\" \"HTTP-Tiny/0.088\"")
    }

    @Test func combined() throws {
        let f = try #require(formats.formatter(for: .number(4)))
        let t = Fixture.strftime("[%d/%b/%Y:%H:%M:%S %z]", Int(Fixture.start.tv_sec))
        #expect(f.format(record) ==
            "127.0.0.1 - - \(t) \"GET /echo/foo HTTP/1.1\" 200 - \"\" \"HTTP-Tiny/0.088\"")
    }

    @Test func detailed() throws {
        let f = try #require(formats.formatter(for: .number(5)))
        let t = Fixture.strftime("[%d/%b/%Y:%H:%M:%S %z]", Int(Fixture.start.tv_sec))
        #expect(f.format(record) ==
            "example.com:40123 127.0.0.1 - - \(t) \"GET /echo/foo HTTP/1.1\" 200 - \"\" \"HTTP-Tiny/0.088\" (default -> 127.0.0.1:40124) 0.001 sec")
    }

    @Test func builtInNamesSelectTheSameFormats() {
        for (i, f) in LogFormat.builtIn.enumerated() {
            #expect(formats.formatter(for: .named(f.name))?.format.index == (i == 0 ? nil : i))
        }
    }

    /// logfmt.at: one user format exercising most specifiers, with Pound's exact output.
    @Test func poundLogFormatTestLine() {
        // As the configuration scanner hands it over (backslash escapes already removed).
        let source = "%%A=%A, %%a=%a, %%B=%B, %%b=%b, %%H=%H, %%H=%h, %%{X-Null}I=\"%{X-Null}I\", "
            + "%%{X-Null}i=\"%{X-Null}i\", %%{X-Header}i=\"%{X-Header}i\", %%m=%m, %%q=\"%q\", "
            + "%%{listener}N=%{listener}N, %%{backend}N=%{backend}N, %%r=\"%r\", %%{service}N=%{service}N, "
            + "%%s=%s, %%>s=\"%>s\", %%u=%u, %%v=%v"
        let head = HTTPRequestHead(method: "GET", uri: "/echo/foo?index=1&q=text", version: .http1_1, headers: [
            "Host": "example.com", "X-Header": "test value",
            "Authorization": "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        ])
        let line = Fixture.render(source, Fixture.record(head: head))
        #expect(line == "%A=127.0.0.1, %a=127.0.0.1, %B=0, %b=-, %H=http, %H=127.0.0.1, "
            + "%{X-Null}I=\"-\", %{X-Null}i=\"\", %{X-Header}i=\"test value\", %m=GET, "
            + "%q=\"?index=1&q=text\", %{listener}N=main, %{backend}N=127.0.0.1:40124, "
            + "%r=\"GET /echo/foo?index=1&q=text HTTP/1.1\", %{service}N=default, %s=200, "
            + "%>s=\"HTTP/1.1 200 OK\", %u=Aladdin, %v=example.com")
    }
}
