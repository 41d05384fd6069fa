import Foundation
import PounceModuleAPI
import Testing
@testable import ModuleLoader

/// The example Swift module (Plugins/Examples/TenantAffinity), built out of tree by
/// SwiftPM, loaded into this process: its session type is used through the registry,
/// which only works when it and this process share one copy of the module API.
struct ExampleModuleTests {
    static let library: Result<String, CModuleCompiler.Failure> = Result {
        let repository = CModuleCompiler.repository
        // The same scratch directory as PounceAppTests' build of it: built once.
        let scratch = "/tmp/pounce-example-build" + repository.replacingOccurrences(of: "/", with: "_")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--package-path", repository + "/Plugins/Examples/TenantAffinity",
                             "--scratch-path", scratch]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CModuleCompiler.Failure(description: "swift build failed: " + String(decoding: text, as: UTF8.self))
        }
        return scratch + "/debug/libTenantAffinity.so"
    }.mapError { $0 as? CModuleCompiler.Failure ?? CModuleCompiler.Failure(description: "\($0)") }

    @Test func tenantSessionWorksThroughTheRegistry() throws {
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: try Self.library.get(), into: registry)
        #expect(registry.sessionTypeNames == ["tenant"])
        let make = try #require(registry.sessionMaker("Tenant"))

        let session = try make(SessionSettings(type: "tenant", id: nil, ttl: 300))
        #expect(session.key(for: TestRequest(headers: [("X-Tenant", "acme")])) == "acme")
        #expect(session.key(for: TestRequest()) == nil)
        // {"tenant":"globex"}, unsigned.
        let jwt = "eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiJnbG9iZXgifQ."
        #expect(session.key(for: TestRequest(headers: [("Authorization", "Bearer " + jwt)])) == "globex")

        let custom = try make(SessionSettings(type: "tenant", id: "X-Org", ttl: 300))
        #expect(custom.key(for: TestRequest(headers: [("X-Org", "o1"), ("X-Tenant", "t1")])) == "o1")
    }

    @Test func loadingTwiceRegistersTheTypeOnce() throws {
        let registry = ModuleRegistry()
        let path = try Self.library.get()
        try ModuleLoader.load(path: path, into: registry)
        try ModuleLoader.load(path: path, into: registry)
        #expect(registry.sessionTypeNames == ["tenant"])
        let make = try #require(registry.sessionMaker("tenant"))
        let session = try make(SessionSettings(type: "tenant", id: nil, ttl: 1))
        #expect(session.key(for: TestRequest(headers: [("X-Tenant", "t")])) == "t")
    }
}
