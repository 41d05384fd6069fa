import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import PoundConfig

/// Writes configuration files into a fresh temporary directory and runs the loader
/// there, as `pound -c -Wno-dns -Wno-include-dir -f pound.cfg` would (the flags of
/// Pound's own PT_CONF tests), collecting every diagnostic as Pound would print it.
struct ConfigFixture {
    let directory: String

    init() {
        var template = Array("/tmp/pounce-config-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = dir.map { String(cString: $0) } ?? "/tmp"
    }

    func write(_ name: String, _ text: String) {
        let path = directory + "/" + name
        if let slash = path.lastIndex(of: "/") {
            mkdir(String(path[..<slash]), 0o755)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    struct Outcome {
        var config: PoundConfiguration?
        /// Each line as Pound prints it after `pound: `.
        var messages: [String]
        var succeeded: Bool { config != nil }
    }

    /// The working directory is the process's: Swift Testing suites run in parallel, so
    /// one load at a time may move it.
    private static let workingDirectory = NSLock()

    /// Loads `file` with the working directory set to the fixture directory.
    func load(_ file: String = "pound.cfg", features: Features = .testDefaults) -> Outcome {
        Self.workingDirectory.withLock {
            let saved = FileSystem.currentDirectory()
            chdir(directory)
            defer { chdir(saved) }
            let diagnostics = Diagnostics()
            let config = try? ConfigLoader.load(file: file, features: features, diagnostics: diagnostics)
            return Outcome(config: config, messages: diagnostics.all.map(\.description))
        }
    }
}

extension Features {
    /// `-Wno-dns -Wno-include-dir`.
    static var testDefaults: Features {
        var f = Features()
        f.dns = false
        f.includeDirectory = nil
        return f
    }
}

/// Parses `text` as pound.cfg and returns the outcome.
func parse(_ text: String, features: Features = .testDefaults) -> ConfigFixture.Outcome {
    let fixture = ConfigFixture()
    fixture.write("pound.cfg", text)
    return fixture.load(features: features)
}

/// Asserts that `text` fails with exactly `messages` (without the `pound: ` prefix).
func assertRejects(_ text: String, _ messages: [String], file: StaticString = #filePath, line: UInt = #line) {
    let outcome = parse(text)
    XCTAssertFalse(outcome.succeeded, "configuration was accepted", file: file, line: line)
    XCTAssertEqual(outcome.messages, messages, file: file, line: line)
}

/// Asserts that `text` loads, with exactly `warnings`, and returns the configuration.
@discardableResult
func assertAccepts(_ text: String, warnings: [String] = [], features: Features = .testDefaults,
                   file: StaticString = #filePath, line: UInt = #line) -> PoundConfiguration? {
    let outcome = parse(text, features: features)
    XCTAssertTrue(outcome.succeeded, "rejected: \(outcome.messages)", file: file, line: line)
    XCTAssertEqual(outcome.messages, warnings, file: file, line: line)
    return outcome.config
}
