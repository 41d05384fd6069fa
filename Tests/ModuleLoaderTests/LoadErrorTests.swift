import Foundation
import PounceModuleAPI
import Testing
@testable import ModuleLoader

/// Libraries that are not (usable) modules: each refused with an error naming the file.
struct LoadErrorTests {
    @Test func missingFileReportsDlerror() throws {
        let path = CModuleCompiler.directory + "/libabsent.so"
        let error = try #require(loadError(path))
        guard case .cannotOpen(let text) = error.reason else {
            Issue.record("unexpected \(error.reason)")
            return
        }
        #expect(text.contains("cannot open shared object file"))
        #expect(error.description == "\(path): cannot open shared object file: No such file or directory")
    }

    @Test func aFileThatIsNoLibraryReportsDlerror() throws {
        let path = CModuleCompiler.directory + "/not-elf.so"
        try "hello\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(loadError(path))
        #expect(error.description.hasPrefix(path + ": "))
        #expect(error.description.contains("invalid ELF header") || error.description.contains("file too short"))
    }

    @Test func cModuleOfAnotherABIVersion() throws {
        let path = try CModuleCompiler.build("abi99", CModuleSources.abi99)
        let error = try #require(loadError(path))
        #expect(error.reason == .cABIVersionMismatch(module: 99, host: 2))
        #expect(error.description == "\(path): module built against C module ABI version 99, this pounce has 2")
    }

    @Test func libraryWithoutEntryPoint() throws {
        let path = try CModuleCompiler.build("plain", CModuleSources.plain)
        let error = try #require(loadError(path))
        #expect(error.reason == .notAModule)
        #expect(error.description == "\(path): not a pounce module (no pounce_module_register, pounce_module_c_entry_v2 or pounce_module_c_entry_v1)")
    }

    @Test func brokenCModuleRegistersNothing() throws {
        let path = try CModuleCompiler.build("broken", CModuleSources.broken)
        let registry = ModuleRegistry()
        let error = try #require(loadError(path, into: registry))
        #expect(error.description == "\(path): invalid C module: session type \"bad\" has no request_key")
        #expect(registry.sessionTypeNames.isEmpty)
    }

    @Test func swiftModuleOfAnotherAPIVersionIsNotRegistered() throws {
        let path = try CModuleCompiler.build("swift99", CModuleSources.swiftStyle(version: 99))
        let error = try #require(loadError(path))
        #expect(error.reason == .apiVersionMismatch(module: 99, host: ModuleAPIVersion.current))
        #expect(error.description == "\(path): module built against module API version 99, this pounce has "
                + "\(ModuleAPIVersion.current); rebuild it against this pounce's PounceModuleAPI")
        #expect(try seenRegistry(path) == nil)
    }

    @Test func swiftModuleBuiltAgainstVersion1IsRefused() throws {
        let path = try CModuleCompiler.build("swift1", CModuleSources.swiftStyle(version: 1))
        let error = try #require(loadError(path))
        #expect(error.reason == .apiVersionMismatch(module: 1, host: 2))
        #expect(error.description == "\(path): module built against module API version 1, this pounce has 2; "
                + "rebuild it against this pounce's PounceModuleAPI")
        #expect(try seenRegistry(path) == nil)
    }

    @Test func swiftModuleOfThisVersionGetsTheRegistry() throws {
        let path = try CModuleCompiler.build("swiftok", CModuleSources.swiftStyle(version: ModuleAPIVersion.current))
        let registry = ModuleRegistry()
        try ModuleLoader.load(path: path, into: registry)
        #expect(try seenRegistry(path) == registry.entryArgument)
    }

    @Test func registerWithoutVersionIsRefused() throws {
        let path = try CModuleCompiler.build("noversion", CModuleSources.registerOnly)
        let error = try #require(loadError(path))
        #expect(error.description == "\(path): exports pounce_module_register but not pounce_module_api_version")
    }

    /// What the library's `pounce_module_register` was given, nil if never called.
    private func seenRegistry(_ path: String) throws -> UnsafeMutableRawPointer? {
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_LOCAL))
        let symbol = try #require(dlsym(handle, "test_seen_registry"))
        return unsafeBitCast(symbol, to: (@convention(c) () -> UnsafeMutableRawPointer?).self)()
    }
}
