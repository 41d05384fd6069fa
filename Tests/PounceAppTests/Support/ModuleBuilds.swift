import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Module libraries for the module tests: the example package built out of tree with
/// the same toolchain, and small C libraries compiled with `cc`.
enum ModuleBuilds {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Plugins/Examples/TenantAffinity built once per test process (debug, like the
    /// pounce under test). The scratch directory is kept between runs, one per
    /// checkout, so a rerun only relinks.
    static let tenantAffinity: Result<String, HarnessError> = Result {
        let scratch = "/tmp/pounce-example-build" + repository.replacingOccurrences(of: "/", with: "_")
        let output = try run(["swift", "build", "--package-path", repository + "/Plugins/Examples/TenantAffinity",
                              "--scratch-path", scratch], timeout: 900)
        let library = scratch + "/debug/libTenantAffinity.so"
        guard FileManager.default.fileExists(atPath: library) else {
            throw HarnessError("the example built no \(library):\n\(output)")
        }
        return library
    }.mapError { $0 as? HarnessError ?? HarnessError("\($0)") }

    static let directory = PounceProcess.temporaryDirectory()

    /// `lib<name>.so` compiled from `source` against the module ABI header.
    static func compileC(_ name: String, _ source: String) throws -> String {
        let sourcePath = directory + "/\(name).c", library = directory + "/lib\(name).so"
        PounceProcess.write(source, to: sourcePath)
        _ = try run(["cc", "-shared", "-fPIC", "-I", repository + "/Plugins/ModuleAPI/Sources/CPounceModuleABI/include",
                     "-o", library, sourcePath], timeout: 120)
        return library
    }

    /// Runs a command; its combined output, or an error carrying it.
    private static func run(_ arguments: [String], timeout: TimeInterval) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let log = directory + "/command-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(100_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError("\(arguments.joined(separator: " ")) timed out:\n\(PounceProcess.read(log))")
        }
        let output = PounceProcess.read(log)
        guard process.terminationStatus == 0 else {
            throw HarnessError("\(arguments.joined(separator: " ")) failed:\n\(output)")
        }
        return output
    }
}
