import Testing
import Foundation
import Synchronization
import HTTPWire
import PoundConfig
import BuiltinModules
@testable import Routing
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory for configuration and password files. Paths are absolute,
/// so tests never change the working directory (they run in parallel).
struct Fixture {
    let directory: String

    init() {
        var template = Array("/tmp/pounce-routing-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = dir.map { String(cString: $0) } ?? "/tmp"
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        return path
    }

    /// Loads `text` as pound.cfg (`-Wno-dns -Wno-include-dir`); `@DIR@` is replaced by
    /// the fixture directory.
    func load(_ text: String) throws -> PoundConfiguration {
        let path = write("pound.cfg", text.replacingOccurrences(of: "@DIR@", with: directory))
        var features = Features()
        features.dns = false
        features.includeDirectory = nil
        let diagnostics = Diagnostics()
        do {
            return try ConfigLoader.load(file: path, features: features, diagnostics: diagnostics)
        } catch {
            Issue.record("configuration rejected: \(diagnostics.all.map(\.description))")
            throw error
        }
    }
}

/// Loads a configuration and builds its routing table.
func routing(_ config: String, fixture: Fixture = Fixture(), options: RoutingOptions = RoutingOptions()) throws -> RoutingTable {
    try RoutingTable.build(fixture.load(config), options: options)
}

/// A request as the engine would hand it over.
func request(_ method: String = "GET", _ uri: String, headers: [(String, String)] = [],
             client: String = "192.0.2.10", listener: Int = 0) -> RoutingRequest {
    var h = HTTPHeaders()
    for (n, v) in headers { h.append(n, v) }
    let head = HTTPRequestHead(method: method, uri: uri, version: .http1_1, headers: h)
    let address = ClientAddress(numeric: client, port: 40000) ?? ClientAddress(text: client, bytes: [], port: 0)
    return RoutingRequest(head: head, client: address, listener: ListenerInfo(index: listener, port: 80))
}

/// The name of the service a request selects on listener 0 ("503" if none, "500" on error).
func selected(_ table: RoutingTable, _ req: RoutingRequest, listener: Int = 0) -> String {
    var r = req
    switch table.listeners[listener].select(&r) {
    case .service(let s): return s.name
    case .noMatch: return "503"
    case .failed: return "500"
    }
}

/// A clock the test moves by hand.
final class ManualClock: RoutingClock {
    private let now = Atomic<UInt64>(1_000_000_000)
    func nanoseconds() -> UInt64 { now.load(ordering: .relaxed) }
    func advance(seconds: Double) {
        now.wrappingAdd(UInt64(seconds * 1e9), ordering: .relaxed)
    }
    func advance(nanoseconds: UInt64) {
        now.wrappingAdd(nanoseconds, ordering: .relaxed)
    }
}

/// Random numbers from a script, to check how a value maps to a backend.
final class ScriptedRandom: RandomNumberSource {
    private let values: Mutex<[UInt64]>
    init(_ values: [UInt64]) { self.values = Mutex(values) }
    func next(below upperBound: UInt64) -> UInt64 {
        values.withLock { v in v.isEmpty ? 0 : v.removeFirst() % upperBound }
    }
}

/// A minimal backend section for test configurations.
func backend(_ port: Int, priority: Int? = nil, emergency: Bool = false) -> String {
    """
        \(emergency ? "Emergency" : "Backend")
          Address 127.0.0.1
          Port \(port)
    \(priority.map { "      Priority \($0)\n" } ?? "")    End

    """
}
