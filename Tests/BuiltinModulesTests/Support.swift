import PounceModuleAPI
import Synchronization
@testable import BuiltinModules

/// A request as a session module sees it; headers in order, names case-insensitive.
struct TestRequest: ModuleRequest {
    var method = "GET"
    var uri = "/"
    var clientAddress = "192.0.2.1"
    var fields: [(name: String, value: String)] = []

    func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headers(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

struct TestResponse: ModuleResponse {
    var status = 200
    var fields: [(name: String, value: String)] = []

    func headers(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// Random numbers from a script, to check how a draw maps to a backend.
final class ScriptedRandom: RandomNumberSource {
    private let values: Mutex<[UInt64]>
    init(_ values: [UInt64]) { self.values = Mutex(values) }
    func next(below upperBound: UInt64) -> UInt64 {
        values.withLock { v in v.isEmpty ? 0 : v.removeFirst() % upperBound }
    }
}

/// A group of backends 10.0.0.1:80, 10.0.0.2:80, ... with these weights.
func setup(_ name: String, _ weights: [Int]) -> BalancerSetup {
    BalancerSetup(name: name, backends: weights.enumerated().map {
        BalancerSetup.Backend(address: "10.0.0.\($0.offset + 1):80", weight: $0.element)
    })
}

func choose(_ balancer: some BalancerModule, usable: [Bool], key: String? = nil) -> Int? {
    usable.withUnsafeBufferPointer { balancer.choose(usable: $0, key: key) }
}

/// `count` choices as letters (A = backend 0), "-" for none.
func letters(_ balancer: some BalancerModule, _ count: Int, usable: [Bool]) -> String {
    (0..<count).map { _ in
        guard let i = choose(balancer, usable: usable) else { return "-" }
        return String(UnicodeScalar(UInt8(ascii: "A") + UInt8(i)))
    }.joined()
}

func session(_ type: String, id: String? = nil) throws -> any SessionModule {
    let registry = ModuleRegistry()
    BuiltinModules.register(into: registry)
    guard let make = registry.sessionMaker(type) else { throw TestFailure.noModule(type) }
    return try make(SessionSettings(type: type, id: id, ttl: 300))
}

enum TestFailure: Error { case noModule(String) }

extension SessionModule {
    func key(uri: String = "/", client: String = "192.0.2.1", _ fields: [(String, String)] = []) -> String? {
        key(for: TestRequest(uri: uri, clientAddress: client, fields: fields.map { (name: $0.0, value: $0.1) }))
    }

    func learned(_ fields: [(String, String)]) -> String? {
        key(learnedFrom: TestResponse(fields: fields.map { (name: $0.0, value: $0.1) }), request: TestRequest())
    }
}
