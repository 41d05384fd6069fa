import Foundation
import Synchronization
@testable import FileWatch
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory; paths are absolute so tests can run in parallel.
struct Scratch {
    let directory: String

    init() {
        var template = Array("/tmp/pounce-filewatch-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = dir.map { String(cString: $0) } ?? "/tmp"
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// open(O_TRUNC or O_APPEND), write, close: one IN_CLOSE_WRITE.
    func write(_ name: String, _ text: String, append: Bool = false) {
        let fd = open(path(name), O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    /// Writes a temporary file and renames it over `name`, as `sed -i` and editors do.
    func replace(_ name: String, _ text: String) {
        write(name + ".tmp", text)
        rename(path(name + ".tmp"), path(name))
    }

    func remove(_ name: String) { unlink(path(name)) }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: path(name), encoding: .utf8)
    }
}

/// Collects what a watcher logs and what its targets were asked to do.
final class Recorder: Sendable {
    private let lines = Mutex<[String]>([])

    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A target for `scratch`'s file `name` whose content is the file's text.
    func target(_ scratch: Scratch, _ name: String) -> WatchTarget {
        let path = scratch.path(name)
        return WatchTarget(path: path, messagePrefix: "test:\(name)", reload: { [self] in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SystemErrno(ENOENT)
            }
            add("reload \(name): \(text.trimmingCharacters(in: .newlines))")
        }, clear: { [self] in
            add("clear \(name)")
        })
    }

    func watcher(_ targets: [WatchTarget], mode: WatchMode = .automatic, pollInterval: Int = 60) -> FileWatcher {
        FileWatcher(targets, mode: mode, pollInterval: pollInterval) { [self] priority, message in
            add("\(priority): \(message)")
        }
    }

    /// Waits until `line` has been recorded `count` times, up to `seconds`.
    @discardableResult
    func wait(for line: String, count: Int = 1, seconds: Double = 3) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if all.filter({ $0 == line }).count >= count { return true }
            usleep(5_000)
        }
        return false
    }

    /// Lines recorded after the first `start` ones.
    func since(_ start: Int) -> [String] { Array(all.dropFirst(start)) }
}
