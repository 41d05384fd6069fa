import Testing
@testable import ProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// The commands VRRP runs (Track Script, notify hooks): exit status, arguments as `$1...`, the
/// shell's 128+signal for a killed command, and signal defaults restored in the child.
@Suite struct ShellCommandTests {
    private func wait(_ command: ShellCommand, seconds: Double = 5) -> Int32? {
        let deadline = Double(time(nil)) + seconds
        while Double(time(nil)) <= deadline {
            if let status = command.exitStatus() { return status }
            usleep(5_000)
        }
        return nil
    }

    @Test func exitStatusComesBack() throws {
        #expect(wait(try ShellCommand.start("exit 0")) == 0)
        #expect(wait(try ShellCommand.start("exit 3")) == 3)
        #expect(wait(try ShellCommand.start("test -f /nonexistent/file")) == 1)
    }

    @Test func argumentsArriveAsWordsWhateverTheyContain() throws {
        let out = "/tmp/pounce-shell-\(getpid())"
        defer { unlink(out) }
        let command = try ShellCommand.start("printf '%s|' > \(out)", arguments: ["INSTANCE", "VI 1", "MASTER", "$x;`y`"])
        #expect(wait(command) == 0)
        var buffer = [UInt8](repeating: 0, count: 256)
        let fd = open(out, O_RDONLY)
        defer { close(fd) }
        let n = read(fd, &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) == "INSTANCE|VI 1|MASTER|$x;`y`|")
    }

    @Test func aKilledCommandReportsTheSignal() throws {
        let command = try ShellCommand.start("sleep 30")
        usleep(50_000)
        #expect(command.exitStatus() == nil)
        command.kill()
        #expect(wait(command) == 128 + SIGKILL)
    }

    @Test func blockedAndIgnoredSignalsAreDefaultsInTheChild() throws {
        // The proxy blocks the shutdown signals and ignores SIGPIPE; a script must not inherit that.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let command = try ShellCommand.start("kill -TERM $$; sleep 5")
        #expect(wait(command) == 128 + SIGTERM)
    }
}
