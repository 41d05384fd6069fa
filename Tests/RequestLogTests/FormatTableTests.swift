import PoundConfig
import Testing
@testable import RequestLog

@Suite struct FormatTableTests {
    func configuration() -> PoundConfiguration {
        var c = PoundConfiguration()
        for (i, (name, source)) in [("short", "%m %U"), ("blank", "")].enumerated() {
            let segments = LogFormat.compile(source) { _, _, _ in }.segments ?? []
            c.logFormats[name] = LogFormat(name: name, index: 6 + i, source: source, segments: segments)
        }
        return c
    }

    @Test func userFormatsFollowTheBuiltInOnes() throws {
        let formats = RequestLogFormats(configuration: configuration())
        #expect(formats.formatters.map(\.format.name)
            == ["null", "regular", "extended", "vhost_combined", "combined", "detailed", "short", "blank"])
        let byName = try #require(formats.formatter(for: .named("short")))
        let byNumber = try #require(formats.formatter(for: .number(6)))
        #expect(byName.format(Fixture.record()) == "GET /echo/foo")
        #expect(byNumber.format.name == "short")
        #expect(formats.formatter(for: .named("blank")) == nil)
        #expect(formats.formatter(for: .number(8)) == nil)
        #expect(formats.formatter(for: .named("nope")) == nil)
    }

    @Test func listenerLevelOverridesTheGlobalOne() {
        var c = configuration()
        c.defaults.logLevel = .number(2)
        let formats = RequestLogFormats(configuration: c)
        var listener = Listener()
        #expect(formats.formatter(for: listener)?.format.name == "extended")
        listener.logLevel = .number(0)
        #expect(formats.formatter(for: listener) == nil)
        listener.logLevel = .named("short")
        #expect(formats.formatter(for: listener)?.format.name == "short")
        // Pound's default LogLevel is 1.
        #expect(RequestLogFormats(configuration: PoundConfiguration()).formatter(for: Listener())?.format.name == "regular")
    }

    @Test func anonymiseComesFromTheConfiguration() {
        var c = PoundConfiguration()
        c.anonymise = true
        let f = RequestLogFormats(configuration: c).formatter(for: .number(1))
        var r = Fixture.record()
        r.clientAddress = "203.0.113.9"
        #expect(f?.format(r) == "203.0.113.0 GET /echo/foo HTTP/1.1 - HTTP/1.1 200 OK")
    }

    @Test func logSuppressClasses() {
        let mask: LogSuppressMask = [.success, .serverError]
        #expect(mask.suppresses(status: 200))
        #expect(mask.suppresses(status: 299))
        #expect(mask.suppresses(status: 503))
        #expect(!mask.suppresses(status: 404))
        #expect(!mask.suppresses(status: 301))
        #expect(LogSuppressMask.all.suppresses(status: 101))
        #expect(!LogSuppressMask().suppresses(status: 200))
    }
}
