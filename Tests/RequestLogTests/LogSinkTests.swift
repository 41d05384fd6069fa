#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RequestLog

@Suite struct LogSinkTests {
    /// A pipe whose read end is drained after the writers are done.
    final class Pipe {
        let read: Int32
        let write: Int32
        init() {
            var fds: [Int32] = [-1, -1]
            pipe(&fds)
            read = fds[0]
            write = fds[1]
        }
        func drain() -> String {
            close(write)
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Glibc.read(read, &buf, buf.count)
                if n <= 0 { break }
                bytes += buf[..<n]
            }
            close(read)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test func consoleSplitsByPriority() {
        let out = Pipe(), err = Pipe()
        let sink = LogSink.console(programName: "pound", standardOutput: out.write, standardError: err.write)
        sink.log(.info, "127.0.0.1 GET / HTTP/1.1 - HTTP/1.1 200 OK")
        sink.log(.debug, "pound.cfg:2.1-5.3: obtained address 127.0.0.1:8080")
        sink.log(.notice, "starting...")
        sink.log(.error, "no backend found")
        sink.log(.info, utf8: Array("bytes".utf8))
        sink.log(.warning, "")
        #expect(out.drain() == "pound: 127.0.0.1 GET / HTTP/1.1 - HTTP/1.1 200 OK\n"
            + "pound: pound.cfg:2.1-5.3: obtained address 127.0.0.1:8080\npound: bytes\n")
        #expect(err.drain() == "pound: starting...\npound: no backend found\npound: \n")
    }

    @Test func linesFromManyThreadsDoNotInterleave() async {
        let out = Pipe()
        let sink = LogSink.console(programName: "p", standardOutput: out.write, standardError: out.write)
        // Read concurrently so the writers never block on a full pipe.
        let reader = Task.detached { out.drainWhenClosed() }
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    let filler = String(repeating: Character(UnicodeScalar(UInt8(97 + t))), count: 300)
                    for i in 0..<200 { sink.log(.info, "\(t) \(i) \(filler)") }
                }
            }
        }
        close(out.write)
        let text = await reader.value
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1600)
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let t = Int(parts[1]) else {
                Issue.record("mangled line: \(line.prefix(80))")
                return
            }
            #expect(parts[0] == "p:")
            #expect(parts[3] == Substring(String(repeating: Character(UnicodeScalar(UInt8(97 + t))), count: 300)))
        }
    }

    @Test func discardWritesNothing() {
        LogSink.discard.log(.emergency, "nothing")
    }

    @Test func facilityNames() {
        #expect(SyslogFacility(name: "daemon") == .daemon)
        #expect(SyslogFacility(name: "LOCAL7")?.code == LOG_LOCAL7)
        #expect(SyslogFacility(name: "nope") == nil)
    }

    @Test func priorityStreams() {
        #expect(LogPriority.allCases.filter(\.goesToStandardOutput) == [.info, .debug])
        #expect(LogPriority.debug.rawValue == LOG_DEBUG)
        #expect(LogPriority.emergency.rawValue == LOG_EMERG)
    }

    @Test func poundDestinationRules() {
        // `LogFacility -` in the foreground: the console only.
        #expect(LogDestination.pound(configuredFacility: nil, stderrOption: false, daemon: false,
                                     verbose: false, starting: false) == LogDestination(console: true, syslog: nil))
        // -e wins over the configured facility.
        #expect(LogDestination.pound(configuredFacility: "local3", stderrOption: true, daemon: false,
                                     verbose: false, starting: false) == LogDestination(console: true, syslog: nil))
        // The default facility in the foreground without -e: syslog only.
        #expect(LogDestination.pound(configuredFacility: "daemon", stderrOption: false, daemon: false,
                                     verbose: false, starting: false) == LogDestination(console: false, syslog: .daemon))
        // A daemon cannot use the console.
        #expect(LogDestination.pound(configuredFacility: nil, stderrOption: false, daemon: true,
                                     verbose: false, starting: false) == LogDestination(console: false, syslog: .daemon))
        // -v: the console too, while starting.
        #expect(LogDestination.pound(configuredFacility: "user", stderrOption: false, daemon: true,
                                     verbose: true, starting: true)
            == LogDestination(console: true, syslog: SyslogFacility(name: "user")))
        #expect(LogDestination.pound(configuredFacility: "user", stderrOption: false, daemon: true,
                                     verbose: true, starting: false)
            == LogDestination(console: false, syslog: SyslogFacility(name: "user")))
    }

    @Test func requestLoggerHonoursLogSuppress() {
        let out = Pipe()
        let sink = LogSink.console(programName: "pound", standardOutput: out.write, standardError: out.write)
        let logger = RequestLogger(formatter: Fixture.format("%s %U"), sink: sink)
        logger.log(Fixture.record(), suppress: [.clientError])
        logger.log(Fixture.record(status: 404, statusLine: "HTTP/1.1 404 Not Found"), suppress: [.clientError])
        RequestLogger(formatter: nil, sink: sink).log(Fixture.record())
        #expect(out.drain() == "pound: 200 /echo/foo\n")
        #expect(!RequestLogger(formatter: nil, sink: sink).isEnabled)
    }
}

extension LogSinkTests.Pipe: @unchecked Sendable {
    /// Reads until every write end is closed.
    func drainWhenClosed() -> String {
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(read, &buf, buf.count)
            if n <= 0 { break }
            bytes += buf[..<n]
        }
        close(read)
        return String(decoding: bytes, as: UTF8.self)
    }
}
