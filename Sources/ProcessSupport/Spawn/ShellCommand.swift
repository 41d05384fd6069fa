#if canImport(Glibc)
import Glibc
#endif

/// A command run through `/bin/sh -c`, as keepalived runs its check and notify scripts: in its
/// own process group (so a timeout can kill whatever it started), with the signals the proxy
/// blocks or ignores back to their defaults. The proxy opens its descriptors close-on-exec, so
/// the command inherits only standard output and error.
public struct ShellCommand: Sendable {
    public let pid: pid_t

    /// Starts `command`; `arguments` become `$1...` of the command line (keepalived's notify
    /// passes "INSTANCE name state priority" that way).
    public static func start(_ command: String, arguments: [String] = []) throws(ProcessSupportError) -> ShellCommand {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        // `"$@"` keeps each argument one word whatever it contains.
        let script = arguments.isEmpty ? command : command + " \"$@\""
        let argv = ["/bin/sh", "-c", script, "sh"] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid = pid_t()
        let rc = SpawnAttributes.with { attributes in posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArgs, environ) }
        guard rc == 0 else {
            throw ProcessSupportError("can't run \"\(command)\": \(String(cString: strerror(rc)))")
        }
        return ShellCommand(pid: pid)
    }

    /// The exit status once the command has ended (reaping it), nil while it runs. A command
    /// killed by a signal reports 128 + the signal, as a shell would.
    public func exitStatus() -> Int32? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return rc < 0 ? 127 : nil }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Kills the command and everything it started.
    public func kill() {
        _ = Glibc.kill(-pid, SIGKILL)
    }
}
