import Foundation
import PounceModuleAPI
@testable import ModuleLoader

/// Compiles C sources into shared libraries with the system's `cc`, against the
/// module ABI header in the repository.
enum CModuleCompiler {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let includeDirectory = repository + "/Plugins/ModuleAPI/Sources/CPounceModuleABI/include"

    static let directory: String = {
        var template = Array("/tmp/pounce-modules-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!).map { String(cString: $0) } } ?? "/tmp"
    }()

    /// Builds `lib<name>.so` from `source` and returns its absolute path.
    static func build(_ name: String, _ source: String) throws -> String {
        let sourcePath = directory + "/\(name).c"
        let library = directory + "/lib\(name).so"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-Wall", "-I", includeDirectory, "-o", library, sourcePath]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "cc failed for \(name): " + String(decoding: output, as: UTF8.self))
        }
        return library
    }
}

/// What loading `path` into `registry` throws; nil when it loads.
func loadError(_ path: String, into registry: ModuleRegistry = ModuleRegistry()) -> ModuleLoadError? {
    do {
        try ModuleLoader.load(path: path, into: registry)
        return nil
    } catch {
        return error
    }
}
