#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ProcessSupport

@Suite("What a supervisor hands its worker")
struct WorkerHandoffTests {
    @Test func roundTrips() throws {
        let full = WorkerHandoff(generation: 4, parent: 812, listeners: [3, 4, 5], control: 6, link: 7, ready: 8,
                                 sessions: 9)
        #expect(full.encoded == "v1;gen=4;parent=812;listeners=3,4,5;control=6;link=7;ready=8;sessions=9")
        #expect(try WorkerHandoff(parsing: full.encoded) == full)
        let bare = WorkerHandoff(generation: 1, parent: 2, listeners: [], control: nil, link: 3, ready: 4, sessions: nil)
        #expect(try WorkerHandoff(parsing: bare.encoded) == bare)
    }

    @Test(arguments: [
        "", "v2;gen=1;parent=2;listeners=3;link=4;ready=5", "v1;gen=0;parent=2;listeners=3;link=4;ready=5",
        "v1;gen=1;listeners=3;link=4;ready=5", "v1;gen=1;parent=2;listeners=3,x;link=4;ready=5",
        "v1;gen=1;parent=2;listeners=3;link=-4;ready=5", "v1;gen=1;parent=2;listeners=3;link=4",
        "v1;gen=1;parent=2;listeners=3;link=4;ready=5;bogus=1", "v1;gen=1;gen=2;parent=2;listeners=3;link=4;ready=5",
        "v1;gen=1;parent=2;listeners=3;link=4;ready=5;novalue",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(throws: WorkerHandoff.Malformed.self) { try WorkerHandoff(parsing: text) }
    }
}

@Suite("Restart backoff")
struct RestartBackoffTests {
    @Test func aWorkerThatServedAWhileIsReplacedAtOnceEveryTime() {
        var b = RestartBackoff()
        for i in 0..<10 {
            let t = Double(i) * 1.5
            #expect(b.workerDied(servedSince: t, now: t + 1.2) == 0)
        }
        #expect(b.consecutiveCrashes == 1)
        #expect(!b.isFaulty)
    }

    @Test func quickCrashesBackOffAndBecomeAFault() {
        var b = RestartBackoff()
        var delays: [Double] = []
        var t = 0.0
        for i in 0..<10 {
            let d = b.workerDied(servedSince: i % 2 == 0 ? nil : t, now: t + 0.01)
            delays.append(d)
            t += 0.01 + d
        }
        #expect(delays == [0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 5])
        #expect(b.isFaulty)
        // One that served long enough ends the loop.
        #expect(b.workerDied(servedSince: t, now: t + 30) == 0)
        #expect(!b.isFaulty)
    }

    @Test func theFaultNeedsThreeCrashesInARow() {
        var b = RestartBackoff()
        _ = b.workerDied(servedSince: nil, now: 1)
        _ = b.workerDied(servedSince: 1.5, now: 2)
        #expect(!b.isFaulty)
        _ = b.workerDied(servedSince: nil, now: 3)
        #expect(b.isFaulty)
    }
}

@Suite("Supervisor link messages")
struct LinkMessageTests {
    @Test func requestsRoundTrip() throws {
        let requests: [LinkRequest] = [
            .sessions, .listenerAccepts(index: 2, milliseconds: 1500), .loopsRespond(milliseconds: 200),
            .usableBackends(service: "web farm 100%\n\u{e9}"), .accepting(true), .accepting(false),
            .failover("a b\nc d 100%"), .failover(""),
        ]
        for (i, r) in requests.enumerated() {
            let line = r.line(id: UInt64(i + 7))
            #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
            let parsed = try #require(LinkRequest.parse(Substring(line.dropLast())))
            #expect(parsed.id == UInt64(i + 7))
            #expect(parsed.request == r)
        }
    }

    @Test(arguments: ["", "x sessions", "1", "1 sessions extra", "1 listener 1", "1 listener -1 5", "1 lag x",
                      "1 backends a%2", "1 backends a%zz", "1 frobnicate", "1 accept maybe"])
    func malformedRequestsAreNone(_ line: String) {
        #expect(LinkRequest.parse(Substring(line)) == nil)
    }

    @Test func replies() throws {
        #expect(LinkReply.parse("3 yes")?.reply == .word("yes"))
        #expect(LinkReply.parse("3 data 10")?.reply == .data(length: 10))
        #expect(LinkReply.parse("3 data -1") == nil)
        #expect(LinkReply.parse("3 data \(LinkReply.maximumDataLength + 1)") == nil)
        #expect(LinkReply.parse("x yes") == nil)
        #expect(LinkReply.parse("3 ") == nil)
        let line = LinkReply.data(length: 5).line(id: 9)
        #expect(LinkReply.parse(Substring(line.dropLast()))?.id == 9)
    }

    @Test func aConnectionReadsLinesAndCountedBytesAcrossWrites() throws {
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let a = LinkConnection(fd: pair[0]), b = LinkConnection(fd: pair[1])
        defer { b.close() }
        #expect(a.write("1 data 4\nab"))
        #expect(a.write("cd2 yes\n"))
        let deadline = LinkConnection.now() + 2
        #expect(b.readLine(deadline: deadline) == "1 data 4")
        #expect(b.readBytes(4, deadline: deadline) == Array("abcd".utf8))
        #expect(b.readLine(deadline: deadline) == "2 yes")
        // Nothing more: the deadline ends the wait.
        #expect(b.readLine(deadline: LinkConnection.now() + 0.05) == nil)
        a.close()
        #expect(b.readLine(deadline: LinkConnection.now() + 2) == nil)
    }
}
