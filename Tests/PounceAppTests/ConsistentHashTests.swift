import Foundation
import XCTest

/// `Balancer chash`: two Pounce processes with the same configuration and no shared
/// state send each session key to the same backend, so sticky sessions survive a
/// failover between the two load balancers; removing a backend moves only its keys.
final class ConsistentHashTests: XCTestCase {
    private func config(_ backends: [TestBackend]) -> String {
        var text = """
            Daemon 0
            LogFacility -
            LogLevel 0
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    Balancer chash
                    Session
                        Type Header
                        ID "X-Key"
                        TTL 300
                    End

            """
        for b in backends { text += "Backend\nAddress 127.0.0.1\nPort \(b.port)\nEnd\n" }
        return text + "End\nEnd\n"
    }

    /// The backend each key's first request went to, through one keep-alive connection.
    private func placement(of keys: [String], via p: RunningPounce) throws -> [String: String] {
        let c = try TCP(port: p.port)
        var result: [String: String] = [:]
        for key in keys {
            c.send("GET /k HTTP/1.1\r\nHost: x\r\nX-Key: \(key)\r\n\r\n")
            guard let r = c.readResponse(), let backend = r.header("x-backend") else {
                throw HarnessError("no answer for key \(key):\n\(p.log)")
            }
            result[key] = backend
        }
        return result
    }

    func testTwoProcessesAgreeAndRemovingABackendMovesOnlyItsKeys() throws {
        let backends = try (1...4).map { try TestBackend(name: "b\($0)") }
        // Ports differ per run, so the hash inputs do too; the properties must hold anyway.
        let keys = (0..<1000).map { "session-\($0)" }

        let first = try RunningPounce(config: config(backends))
        let second = try RunningPounce(config: config(backends))
        let a = try placement(of: keys, via: first)
        let b = try placement(of: keys, via: second)
        XCTAssertEqual(first.stop(), 0)
        XCTAssertEqual(second.stop(), 0)
        XCTAssertEqual(a, b, "both nodes place every key on the same backend")
        let counts = Dictionary(grouping: a.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(counts.count, 4, "\(counts)")
        for (name, n) in counts { XCTAssertGreaterThan(n, 150, "\(name) got \(n) of 1000 keys") }

        // The same configuration without b3: only b3's keys move, and to the others.
        let withoutB3 = try RunningPounce(config: config(backends.filter { $0.name != "b3" }))
        let c = try placement(of: keys, via: withoutB3)
        XCTAssertEqual(withoutB3.stop(), 0)
        var moved = 0
        for key in keys {
            if a[key] == "b3" {
                XCTAssertNotEqual(c[key], "b3")
                moved += 1
            } else {
                XCTAssertEqual(c[key], a[key], "key \(key) moved although its backend stayed")
            }
        }
        XCTAssertEqual(moved, counts["b3"])
    }
}
