import Foundation
import PounceModuleAPI
import Testing
@testable import ModuleLoader

/// A C module of ABI version 2 loaded into a registry: its client-affinity types used
/// through the registry as `ClientAffinityModule`s. Serialized: the module counts
/// destroyed instances in one global.
@Suite(.serialized)
struct CAffinityTests {
    static let library = Result { try CModuleCompiler.build("affinity", CAffinitySources.working) }

    private func loaded() throws -> ModuleRegistry {
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: try Self.library.get(), into: registry)
        return registry
    }

    private func affinity(_ type: String, id: String? = "X-Tag",
                          cookie: CookieAttributes = CookieAttributes()) throws -> any ClientAffinityModule {
        let make = try #require(try loaded().sessionMaker(type))
        let session = try make(SessionSettings(type: type, id: id, ttl: 0, cookie: cookie))
        return try #require(session as? any ClientAffinityModule)
    }

    private func destroyedCount() throws -> Int32 {
        let handle = try #require(dlopen(try Self.library.get(), RTLD_NOW | RTLD_LOCAL))
        let symbol = try #require(dlsym(handle, "test_affinity_destroyed_count"))
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
    }

    private func respond(_ module: any ClientAffinityModule, backend: String, requested: String?,
                         request: TestRequest = TestRequest(),
                         response: TestResponse = TestResponse()) -> [HeaderEdits.Edit] {
        var edits = HeaderEdits()
        module.respond(to: response, from: backend, requestedTag: requested, request: request, edits: &edits)
        return edits.edits
    }

    @Test func registersAffinitySessionAndBalancerTypesOfTheTable() throws {
        let registry = try loaded()
        #expect(registry.sessionTypeNames == ["fixed", "hdr2", "tagged"])
        #expect(registry.balancerNames == ["first"])
        // The v1 kind of session type in a v2 table stays a plain session module.
        let make = try #require(registry.sessionMaker("HDR2"))
        let session = try make(SessionSettings(type: "hdr2", id: nil, ttl: 60))
        #expect(!(session is any ClientAffinityModule))
        #expect(session.key(for: TestRequest(headers: [("X-Key", "k1")])) == "k1")
    }

    @Test func tagComesFromTheFirstNonEmptyValueAndLeavesTheRequest() throws {
        let module = try affinity("tagged")
        var edits = HeaderEdits()
        let request = TestRequest(headers: [("X-Tag", ""), ("x-tag", "b2"), ("X-Tag", "b3")])
        #expect(module.backendTag(of: request, edits: &edits) == "b2")
        #expect(edits.edits == [.replace(name: "X-Tag", values: []), .append(name: "X-Tag-Seen", value: "b2")])
    }

    @Test func noTagMeansNilAndNoEdits() throws {
        let module = try affinity("tagged")
        var edits = HeaderEdits()
        #expect(module.backendTag(of: TestRequest(headers: [("X-Other", "b1")]), edits: &edits) == nil)
        #expect(edits.isEmpty)
        // Present but empty: no tag, yet the header still goes.
        #expect(module.backendTag(of: TestRequest(headers: [("X-Tag", "")]), edits: &edits) == nil)
        #expect(edits.edits == [.replace(name: "X-Tag", values: [])])
    }

    @Test func editsAppendToWhatTheCallerHad() throws {
        let module = try affinity("tagged")
        var edits = HeaderEdits()
        edits.append("Via", "host")
        _ = module.backendTag(of: TestRequest(headers: [("X-Tag", "a")]), edits: &edits)
        #expect(edits.edits.first == .append(name: "Via", value: "host"))
        #expect(edits.edits.count == 3)
    }

    @Test func responseEditsFollowTheTags() throws {
        let module = try affinity("tagged")
        let request = TestRequest(method: "POST")
        let response = TestResponse(status: 201, headerList: [("Set-Cookie", "a=1"), ("set-cookie", "b=2")])

        // Kept: only what the module always adds.
        #expect(respond(module, backend: "b1", requested: "b1", request: request, response: response) == [
            .append(name: "X-Served-By", value: "b1"),
            .append(name: "X-Seen", value: "201 POST b=2"),
        ])
        // None asked for: the tag is set.
        #expect(respond(module, backend: "b1", requested: nil) == [
            .append(name: "X-Served-By", value: "b1"),
            .append(name: "X-Requested", value: "none"),
            .replace(name: "X-Tag", values: ["b1"]),
            .append(name: "X-Seen", value: "200 GET -"),
        ])
        // Another backend's tag (dead or gone): moved, and the new tag set.
        #expect(respond(module, backend: "b2", requested: "b9") == [
            .append(name: "X-Served-By", value: "b2"),
            .append(name: "X-Moved", value: "b9->b2"),
            .replace(name: "X-Tag", values: ["b2"]),
            .append(name: "X-Seen", value: "200 GET -"),
        ])
    }

    @Test func anEmptyRequestedTagIsNotNone() throws {
        let module = try affinity("tagged")
        let edits = respond(module, backend: "b1", requested: "")
        #expect(edits.contains(.append(name: "X-Moved", value: "->b1")))
        #expect(!edits.contains(.append(name: "X-Requested", value: "none")))
    }

    @Test func anEmptyValueIsSetNotRemoved() throws {
        let module = try affinity("tagged")
        let edits = respond(module, backend: "b1", requested: "b1", request: TestRequest(headers: [("X-Blank", "x")]))
        #expect(edits.last == .replace(name: "X-Blank", values: [""]))
    }

    @Test func settingsReachCreate() throws {
        let cookie = CookieAttributes(path: "/app", domain: "example.com", secure: true, httpOnly: false,
                                      sameSite: "Lax", maxAge: 3600, noCache: true)
        let module = try affinity("tagged", id: "X-Tag", cookie: cookie)
        var edits = HeaderEdits()
        #expect(module.backendTag(of: TestRequest(headers: [("X-Describe", "1")]), edits: &edits)
                == "tagged|X-Tag|0|/app|example.com|Lax|3600|101")

        let plain = try affinity("tagged", id: "Cookie-Name")
        #expect(plain.backendTag(of: TestRequest(headers: [("X-Describe", "1")]), edits: &edits)
                == "tagged|Cookie-Name|0|-|-|-|-1|000")
    }

    @Test func createErrorsNameModuleAndType() throws {
        let path = try Self.library.get()
        #expect {
            _ = try affinity("tagged", id: nil)
        } throws: { error in
            (error as? ModuleInstanceError)?.description == "\(path): session type \"tagged\": ID is required"
        }
        #expect {
            _ = try affinity("tagged", id: "silent")
        } throws: { error in
            (error as? ModuleInstanceError)?.description == "\(path): session type \"tagged\": create failed"
        }
    }

    @Test func instanceIsDestroyedWithItsAdapter() throws {
        let before = try destroyedCount()
        do {
            let module = try affinity("tagged")
            var edits = HeaderEdits()
            #expect(module.backendTag(of: TestRequest(headers: [("X-Tag", "b1")]), edits: &edits) == "b1")
        }
        #expect(try destroyedCount() == before + 1)
    }

    @Test func typeWithoutCreateWorksAndTagsAreCutTo127Bytes() throws {
        let module = try affinity("fixed", id: nil)
        var edits = HeaderEdits()
        #expect(module.backendTag(of: TestRequest(), edits: &edits) == String(repeating: "k", count: 127))
        #expect(respond(module, backend: "b1", requested: nil).isEmpty)
        // Affinity lives in the client: Pounce's session table gets no key.
        #expect(module.key(for: TestRequest(headers: [("X-Tag", "b1")])) == nil)
    }

    @Test func concurrentCallsEachSeeTheirOwnRequestAndEdits() async throws {
        let module = try affinity("tagged")
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for i in 0..<300 {
                        let value = "t\(task)-\(i)"
                        var edits = HeaderEdits()
                        let tag = module.backendTag(of: TestRequest(headers: [("X-Tag", value)]), edits: &edits)
                        if tag != value || edits.edits.last != .append(name: "X-Tag-Seen", value: value) { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
