import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `pounce` executable as a real process, as users and Pound's test
/// harness do, capturing its exit status and both output streams.
enum PounceProcess {
    /// The `pounce` binary SwiftPM built next to this test bundle.
    static var binary: String {
        let testBinary = CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0]
        var dir = testBinary
        while let slash = dir.lastIndex(of: "/"), !dir.hasSuffix(".xctest") || dir.contains(".xctest/") {
            dir = String(dir[..<slash])
            if !dir.contains(".xctest") { break }
        }
        if dir.hasSuffix(".xctest"), let slash = dir.lastIndex(of: "/") { dir = String(dir[..<slash]) }
        return dir + "/pounce"
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` (default: pounce) with `arguments` in `directory`.
    static func run(_ arguments: [String], in directory: String, executable: String = binary) -> Result {
        // Output goes to a scratch directory so runs in a source folder leave nothing behind.
        let scratch = temporaryDirectory()
        let out = scratch + "/stdout", err = scratch + "/stderr"
        let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = "cd '\(directory)' && exec \(quoted.joined(separator: " ")) >'\(out)' 2>'\(err)'"
        let status = system(command)
        let exit = (status >> 8) & 0xff
        return Result(status: exit, stdout: read(out), stderr: read(err))
    }

    static func read(_ path: String) -> String {
        guard let f = fopen(path, "r") else { return "" }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func temporaryDirectory() -> String {
        var template = Array("/tmp/pounce-cli-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!).map { String(cString: $0) } } ?? "/tmp"
    }

    static func write(_ text: String, to path: String) {
        guard let f = fopen(path, "w") else { return }
        fputs(text, f)
        fclose(f)
    }
}
