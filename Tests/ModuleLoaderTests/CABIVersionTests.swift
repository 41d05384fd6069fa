import Foundation
import PounceModuleAPI
import Testing
@testable import ModuleLoader

/// Which C tables load: v1 tables of either number, v2 tables of version 2 only, and
/// a broken v2 table refused before anything of it is registered.
struct CABIVersionTests {
    private func oldKey(_ registry: ModuleRegistry) throws -> String? {
        let make = try #require(registry.sessionMaker("old"))
        return try make(SessionSettings(type: "old", id: nil, ttl: 60)).key(for: TestRequest(headers: [("X-Key", "k")]))
    }

    @Test func v1TableOfVersion1Loads() throws {
        let path = try CModuleCompiler.build("v1one", CAffinitySources.v1(version: "POUNCE_MODULE_C_ABI_VERSION_1"))
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: path, into: registry)
        #expect(registry.sessionTypeNames == ["old"])
        #expect(try oldKey(registry) == "k")
    }

    /// A v1 module's source recompiled against the version 2 header.
    @Test func v1TableOfVersion2Loads() throws {
        let path = try CModuleCompiler.build("v1two", CAffinitySources.v1(version: "POUNCE_MODULE_C_ABI_VERSION"))
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: path, into: registry)
        #expect(try oldKey(registry) == "k")
    }

    @Test func v1TableOfAnUnknownVersionIsRefused() throws {
        let path = try CModuleCompiler.build("v1three", CAffinitySources.v1(version: "3"))
        let registry = ModuleRegistry()
        let error = try #require(loadError(path, into: registry))
        #expect(error.description == "\(path): module built against C module ABI version 3, this pounce has 2")
        #expect(registry.sessionTypeNames.isEmpty)
    }

    @Test(arguments: [1, 3, 99])
    func v2TableMustSayVersion2(version: Int) throws {
        let path = try CModuleCompiler.build("v2of\(version)", CAffinitySources.v2(version: version))
        let error = try #require(loadError(path))
        #expect(error.reason == .cABIVersionMismatch(module: UInt32(version), host: 2))
        #expect(error.description == "\(path): module built against C module ABI version \(version), this pounce has 2")
    }

    @Test func v2IsPreferredWhenBothAreExported() throws {
        let path = try CModuleCompiler.build("both", CAffinitySources.bothEntries)
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: path, into: registry)
        #expect(registry.sessionTypeNames == ["new"])
    }

    @Test(arguments: [
        ("noname", #"{ 0, 0, tag, respond, 0 }"#, "affinity type 1 has no name"),
        ("emptyname", #"{ "", 0, tag, respond, 0 }"#, "affinity type 1 has no name"),
        ("notag", #"{ "x", 0, 0, respond, 0 }"#, #"affinity type "x" has no request_tag"#),
        ("norespond", #"{ "x", 0, tag, 0, 0 }"#, #"affinity type "x" has no respond"#),
        ("samename", #"{ "GOOD", 0, tag, respond, 0 }"#, #"two session types named "GOOD""#),
    ])
    func brokenAffinityEntryRegistersNothing(name: String, entry: String, problem: String) throws {
        let path = try CModuleCompiler.build("broken-\(name)", CAffinitySources.brokenAffinity(entry))
        let registry = ModuleRegistry()
        let error = try #require(loadError(path, into: registry))
        #expect(error.description == "\(path): invalid C module: \(problem)")
        #expect(registry.sessionTypeNames.isEmpty)
        #expect(registry.balancerNames.isEmpty)
    }

    @Test func aGoodTableOfTheBrokenOnesShapeLoads() throws {
        // The control for the test above: only the broken entry made the difference.
        let path = try CModuleCompiler.build("broken-none", CAffinitySources.brokenAffinity(#"{ "x", 0, tag, respond, 0 }"#))
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: path, into: registry)
        #expect(registry.sessionTypeNames == ["fine", "good", "x"])
    }

    @Test func affinityCountWithoutArrayIsRefused() throws {
        let path = try CModuleCompiler.build("noarray", CAffinitySources.missingAffinityArray)
        let error = try #require(loadError(path))
        #expect(error.description == "\(path): invalid C module: affinity_types is NULL")
    }

    @Test func nullV2TableIsRefused() throws {
        let path = try CModuleCompiler.build("null2", CAffinitySources.nullTable)
        let error = try #require(loadError(path))
        #expect(error.description == "\(path): invalid C module: pounce_module_c_entry_v2 returned NULL")
    }
}
