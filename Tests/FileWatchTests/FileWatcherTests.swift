import Foundation
import Synchronization
import Testing
@testable import FileWatch
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileWatcherTests {
    @Test func splitsPathAtTheLastSlash() {
        #expect(WatchLoop.split("/etc/pound/acl") == ("/etc/pound", "acl"))
        #expect(WatchLoop.split("/acl") == ("/", "acl"))
        #expect(WatchLoop.split("acl") == (".", "acl"))
    }

    @Test func followsAFileThroughItsLife() {
        let s = Scratch()
        s.write("acl", "one\n")
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "acl")])
        watcher.start()
        defer { watcher.stop() }

        s.write("acl", "two\n", append: true)
        #expect(r.wait(for: "info: test:acl: file reloaded"))
        #expect(r.all == ["reload acl: one\ntwo", "info: test:acl: file reloaded"])

        var mark = r.all.count
        s.replace("acl", "three\n")
        #expect(r.wait(for: "info: test:acl: file reloaded", count: 2))
        // A rename over the file is a reload, not a removal then a restore.
        #expect(r.since(mark) == ["reload acl: three", "info: test:acl: file reloaded"])

        mark = r.all.count
        s.remove("acl")
        #expect(r.wait(for: "info: test:acl: content cleared"))
        #expect(r.since(mark) == ["info: test:acl: file removed", "clear acl", "info: test:acl: content cleared"])

        mark = r.all.count
        s.write("acl", "four\n")
        #expect(r.wait(for: "info: test:acl: file reloaded", count: 3))
        #expect(r.since(mark) == ["info: test:acl: file restored", "reload acl: four", "info: test:acl: file reloaded"])
    }

    @Test func readsANewFileOnlyOnceItIsWritten() {
        let s = Scratch()
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "late")])
        watcher.start()
        defer { watcher.stop() }

        // Created empty, written a moment later: the close is what counts.
        let fd = open(s.path("late"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        usleep(100_000)
        _ = "pattern\n".utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        #expect(r.wait(for: "info: test:late: file reloaded"))
        usleep(100_000)
        #expect(r.all == ["info: test:late: file restored", "reload late: pattern", "info: test:late: file reloaded"])
    }

    @Test func watchesOnlyItsOwnFiles() {
        let s = Scratch()
        s.write("a", "a\n")
        s.write("b", "b\n")
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "a"), r.target(s, "b")])
        watcher.start()
        defer { watcher.stop() }

        s.write("other", "x\n")
        s.write("b", "b2\n")
        #expect(r.wait(for: "info: test:b: file reloaded"))
        usleep(100_000)
        #expect(r.all == ["reload b: b2", "info: test:b: file reloaded"])
    }

    @Test func followsASymbolicLinksTarget() throws {
        let s = Scratch()
        let other = Scratch()
        other.write("real", "one\n")
        symlink(other.path("real"), s.path("link"))
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "link")])
        watcher.start()
        defer { watcher.stop() }

        other.write("real", "two\n")
        #expect(r.wait(for: "info: test:link: file reloaded"))
        #expect(r.all.first == "reload link: two")
    }

    @Test func aFailedReadEmptiesTheContent() {
        let s = Scratch()
        s.write("f", "x\n")
        let r = Recorder()
        let target = WatchTarget(path: s.path("f"), messagePrefix: "test:f",
                                 reload: { throw SystemErrno(EACCES) }, clear: { r.add("clear f") })
        let watcher = r.watcher([target])
        watcher.start()
        defer { watcher.stop() }

        s.write("f", "y\n")
        #expect(r.wait(for: "error: test:f: can't open file: Permission denied"))
        #expect(r.all == ["clear f", "error: test:f: can't open file: Permission denied"])
    }

    @Test func aRemovedDirectoryIsPolledFromThenOn() {
        let s = Scratch()
        mkdir(s.path("sub"), 0o755)
        s.write("sub/f", "x\n")
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "sub/f")], pollInterval: 1)
        watcher.start()
        defer { watcher.stop() }

        s.remove("sub/f")
        rmdir(s.path("sub"))
        #expect(r.wait(for: "notice: \(s.path("sub")): directory removed"))
        #expect(r.wait(for: "info: test:sub/f: content cleared"))

        // Polled now: a directory and file that come back are found within a period.
        mkdir(s.path("sub"), 0o755)
        s.write("sub/f", "back\n")
        #expect(r.wait(for: "info: test:sub/f: file reloaded", seconds: 4))
        #expect(r.all.contains("reload sub/f: back"))
    }

    @Test func pollsWhenAskedTo() {
        let s = Scratch()
        s.write("p", "one\n")
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "p")], mode: .polling, pollInterval: 1)
        watcher.start()
        defer { watcher.stop() }

        s.write("p", "two\n", append: true)
        #expect(r.wait(for: "info: test:p: file reloaded", seconds: 4))
        #expect(r.all == ["reload p: one\ntwo", "info: test:p: file reloaded"])

        var mark = r.all.count
        s.remove("p")
        #expect(r.wait(for: "info: test:p: content cleared", seconds: 4))
        #expect(r.since(mark) == ["info: test:p: file removed", "clear p", "info: test:p: content cleared"])

        mark = r.all.count
        s.write("p", "three\n")
        #expect(r.wait(for: "info: test:p: file reloaded", count: 2, seconds: 4))
        #expect(r.since(mark) == ["info: test:p: file restored", "reload p: three", "info: test:p: file reloaded"])
    }

    @Test func seesNothingOnceStopped() {
        let s = Scratch()
        s.write("f", "x\n")
        let r = Recorder()
        let watcher = r.watcher([r.target(s, "f")])
        watcher.start()
        watcher.stop()
        s.write("f", "y\n")
        usleep(200_000)
        #expect(r.all.isEmpty)
        // Stopping twice is harmless.
        watcher.stop()
    }
}
