import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A client-affinity session type written in C (Plugins/Examples/CookieAffinityC,
/// module ABI version 2), compiled with `cc` and loaded with `LoadModule`: the client
/// carries its backend's tag in `X-Backend-Tag`, Pounce routes by it, the module takes
/// it out of the request and puts the answering backend's tag in the response.
final class CAffinityModuleTests: XCTestCase {
    private static let module: Result<String, HarnessError> = Result {
        let source = ModuleBuilds.repository + "/Plugins/Examples/CookieAffinityC/cookie_tag.c"
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw HarnessError("cannot read \(source)")
        }
        return try ModuleBuilds.compileC("cookie_tag", text)
    }.mapError { $0 as? HarnessError ?? HarnessError("\($0)") }

    private static let tagHeader = "X-Backend-Tag"

    /// Backends named b1, b2... whose `CookieValue` is their name, so a backend's tag is
    /// the name it answers with in `x-backend`.
    private func start(backends count: Int) throws -> (RunningPounce, [TestBackend]) {
        let module = try Self.module.get()
        let backends = try (1...count).map { try TestBackend(name: "b\($0)") }
        var config = """
            Daemon 0
            LogFacility -
            LoadModule "\(module)"
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
            End
            Service
                Session
                    Type "HeaderTag"
                    ID "\(Self.tagHeader)"
                    Path "/"
                End

            """
        for b in backends {
            config += "    Backend\n        Address 127.0.0.1\n        Port \(b.port)\n        CookieValue \"\(b.name)\"\n    End\n"
        }
        config += "End\n"
        return (try RunningPounce(config: config), backends)
    }

    private func get(_ port: Int, tag: String? = nil) throws -> HTTPReply {
        try TCP.get("/", port: port, headers: tag.map { ["\(Self.tagHeader): \($0)"] } ?? [])
    }

    /// The backend that answered (the echo's `x-backend`).
    private func answeredBy(_ reply: HTTPReply) throws -> String {
        guard reply.status == 200, let name = reply.header("x-backend") else {
            throw HarnessError("no answer from a backend: \(reply.statusLine)")
        }
        return name
    }

    private func setCookies(_ reply: HTTPReply) -> [String] {
        reply.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
    }

    func testARequestWithoutATagLearnsTheTagOfItsBackend() throws {
        let (p, backends) = try start(backends: 3)
        defer { p.stop() }
        var answered: Set<String> = []
        for _ in 0..<9 {
            let reply = try get(p.port)
            let backend = try answeredBy(reply)
            answered.insert(backend)
            XCTAssertEqual(reply.header(Self.tagHeader), backend)
            XCTAssertEqual(setCookies(reply), ["\(Self.tagHeader)=\(backend); Path=/"])
        }
        // Without a tag the balancer chooses: more than one backend answers.
        XCTAssertGreaterThan(answered.count, 1, "\(answered)\n\(p.log)")
        XCTAssertEqual(backends.map(\.requests.count).reduce(0, +), 9)
    }

    func testATagKeepsTheClientOnItsBackendWhichNeverSeesTheTag() throws {
        let (p, backends) = try start(backends: 3)
        defer { p.stop() }
        let first = try get(p.port)
        let tag = try XCTUnwrap(first.header(Self.tagHeader), p.log)
        for _ in 0..<12 {
            let reply = try get(p.port, tag: tag)
            XCTAssertEqual(try answeredBy(reply), tag)
            XCTAssertEqual(reply.header(Self.tagHeader), tag)
            // The tag it carried is the backend's: nothing new to set.
            XCTAssertEqual(setCookies(reply), [])
            // The echo lists what the backend received as x-orig-NAME.
            XCTAssertNil(reply.header("x-orig-" + Self.tagHeader.lowercased()))
        }
        // Every tag works, not only the one learnt.
        for b in backends {
            XCTAssertEqual(try answeredBy(try get(p.port, tag: b.name)), b.name)
        }
        let received = backends.flatMap(\.requests)
        XCTAssertEqual(received.count, 1 + 12 + backends.count)
        XCTAssertTrue(received.allSatisfy { $0.header(Self.tagHeader) == nil },
                      received.map(\.head).joined(separator: "\n\n"))
        // A header sent twice goes whole: no second value slips through.
        let c = try TCP(port: p.port)
        c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\(Self.tagHeader): b2\r\n\(Self.tagHeader): b3\r\nConnection: close\r\n\r\n")
        let twice = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(try answeredBy(twice), "b2")
        XCTAssertNil(backends[1].requests.last?.header(Self.tagHeader))
    }

    func testATagOfADeadBackendMovesTheClient() throws {
        let (p, backends) = try start(backends: 2)
        defer { p.stop() }
        XCTAssertEqual(try answeredBy(try get(p.port, tag: "b2")), "b2")
        backends[1].stop()

        // The first request may be the one that finds b2 dead; Pounce then tries another
        // backend (as Pound does) or refuses this request, so a few tries are allowed.
        var moved: HTTPReply?
        for _ in 0..<5 {
            let reply = try get(p.port, tag: "b2")
            if reply.status == 200 {
                moved = reply
                break
            }
            usleep(200_000)
        }
        let reply = try XCTUnwrap(moved, "no answer after b2 stopped:\n\(p.log)")
        XCTAssertEqual(try answeredBy(reply), "b1")
        XCTAssertEqual(reply.header(Self.tagHeader), "b1")
        XCTAssertEqual(setCookies(reply), ["\(Self.tagHeader)=b1; Path=/"])

        // The new tag holds, and a tag no backend has moves the client the same way.
        let again = try get(p.port, tag: "b1")
        XCTAssertEqual(try answeredBy(again), "b1")
        XCTAssertEqual(setCookies(again), [])
        let unknown = try get(p.port, tag: "nobody")
        XCTAssertEqual(try answeredBy(unknown), "b1")
        XCTAssertEqual(unknown.header(Self.tagHeader), "b1")
        XCTAssertEqual(setCookies(unknown), ["\(Self.tagHeader)=b1; Path=/"])
    }
}
