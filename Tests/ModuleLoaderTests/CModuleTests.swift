import Foundation
import PounceModuleAPI
import Testing
@testable import ModuleLoader

/// A working C module loaded into a registry and called through it. Serialized: the
/// module counts destroyed instances in one global.
@Suite(.serialized)
struct CModuleTests {
    static let library = Result { try CModuleCompiler.build("working", CModuleSources.working) }

    private func loaded() throws -> ModuleRegistry {
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: try Self.library.get(), into: registry)
        return registry
    }

    private func destroyedCount() throws -> Int32 {
        let handle = try #require(dlopen(try Self.library.get(), RTLD_NOW | RTLD_LOCAL))
        let symbol = try #require(dlsym(handle, "test_destroyed_count"))
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
    }

    @Test func registersEveryTypeOfTheTable() throws {
        let registry = try loaded()
        #expect(registry.sessionTypeNames == ["fields", "hdr", "long"])
        #expect(registry.balancerNames == ["pick", "rogue"])
        #expect(registry.sessionMaker("HDR") != nil)
    }

    @Test func sessionKeyComesFromTheHeaderCallback() throws {
        let make = try #require(try loaded().sessionMaker("hdr"))
        let session = try make(SessionSettings(type: "hdr", id: "X-Tenant", ttl: 300))
        #expect(session.key(for: TestRequest(headers: [("x-tenant", "acme")])) == "acme")
        #expect(session.key(for: TestRequest(headers: [("X-Other", "acme")])) == nil)
        #expect(session.key(for: TestRequest(headers: [("X-Tenant", "")])) == "")
    }

    @Test func responseKeySeesStatusAndIndexedHeaderValues() throws {
        let make = try #require(try loaded().sessionMaker("hdr"))
        let session = try make(SessionSettings(type: "hdr", id: "Set-Id", ttl: 300))
        let response = TestResponse(status: 201, headerList: [("Set-Id", "first"), ("set-id", "second")])
        #expect(session.key(learnedFrom: response, request: TestRequest()) == "201:second")
        let single = TestResponse(status: 200, headerList: [("Set-Id", "only")])
        #expect(session.key(learnedFrom: single, request: TestRequest()) == nil)
    }

    @Test func requestFieldsReachTheModule() throws {
        let make = try #require(try loaded().sessionMaker("fields"))
        let session = try make(SessionSettings(type: "fields", id: nil, ttl: 60))
        let request = TestRequest(method: "POST", uri: "/a/b?x=1", clientAddress: "::1")
        #expect(session.key(for: request) == "POST /a/b?x=1 ::1")
        #expect(session.key(learnedFrom: TestResponse(), request: request) == nil)
    }

    @Test func keysAreCutTo127Bytes() throws {
        let make = try #require(try loaded().sessionMaker("long"))
        let key = try make(SessionSettings(type: "long", id: nil, ttl: 60)).key(for: TestRequest())
        #expect(key == String(repeating: "k", count: 127))
    }

    @Test func createErrorNamesModuleAndType() throws {
        let make = try #require(try loaded().sessionMaker("hdr"))
        let path = try Self.library.get()
        #expect {
            _ = try make(SessionSettings(type: "hdr", id: nil, ttl: 300))
        } throws: { error in
            (error as? ModuleInstanceError)?.description == "\(path): session type \"hdr\": ID is required"
        }
    }

    @Test func sessionInstanceIsDestroyedWithItsAdapter() throws {
        let make = try #require(try loaded().sessionMaker("hdr"))
        let before = try destroyedCount()
        do {
            let session = try make(SessionSettings(type: "hdr", id: "A", ttl: 1))
            #expect(session.key(for: TestRequest(headers: [("A", "1")])) == "1")
        }
        #expect(try destroyedCount() == before + 1)
    }

    @Test func balancerGetsAddressesWeightsAndKeys() throws {
        let make = try #require(try loaded().balancerMaker("pick"))
        let setup = BalancerSetup(name: "pick", backends: [
            .init(address: "127.0.0.1:8001", weight: 1),
            .init(address: "127.0.0.1:8002", weight: 5),
            .init(address: "[::1]:8003", weight: 3),
        ])
        let before = try destroyedCount()
        do {
            let balancer = try make(setup)
            let all = [true, true, true]
            all.withUnsafeBufferPointer { usable in
                #expect(balancer.choose(usable: usable, key: nil) == 1)
                #expect(balancer.choose(usable: usable, key: "2") == 2)
                #expect(balancer.choose(usable: usable, key: "0") == 0)
                #expect(balancer.choose(usable: usable, key: "other") == 1)
            }
            [true, false, true].withUnsafeBufferPointer { usable in
                #expect(balancer.choose(usable: usable, key: nil) == 2)
                #expect(balancer.choose(usable: usable, key: "1") == 2)
            }
            [false, false, false].withUnsafeBufferPointer { usable in
                #expect(balancer.choose(usable: usable, key: nil) == nil)
            }
        }
        #expect(try destroyedCount() == before + 1)
    }

    @Test func balancerCreateErrorIsThrown() throws {
        let make = try #require(try loaded().balancerMaker("pick"))
        let path = try Self.library.get()
        #expect {
            _ = try make(BalancerSetup(name: "pick", backends: [.init(address: "/run/sock", weight: 1)]))
        } throws: { error in
            (error as? ModuleInstanceError)?.description == "\(path): balancer \"pick\": bad address /run/sock"
        }
    }

    @Test func anOutOfRangeAnswerMeansNoBackend() throws {
        let make = try #require(try loaded().balancerMaker("rogue"))
        let balancer = try make(BalancerSetup(name: "rogue", backends: [.init(address: "127.0.0.1:1", weight: 1)]))
        [true].withUnsafeBufferPointer { usable in
            #expect(balancer.choose(usable: usable, key: nil) == nil)
        }
    }

    @Test func concurrentCallsEachSeeTheirOwnRequest() async throws {
        let make = try #require(try loaded().sessionMaker("hdr"))
        let session = try make(SessionSettings(type: "hdr", id: "X-Tenant", ttl: 300))
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for i in 0..<500 {
                        let value = "t\(task)-\(i)"
                        if session.key(for: TestRequest(headers: [("X-Tenant", value)])) != value { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
