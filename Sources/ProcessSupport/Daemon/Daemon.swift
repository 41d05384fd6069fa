#if canImport(Glibc)
import Glibc
#endif

/// Pound's daemon mode (`detach`): the process forks, the parent exits 0 at once, and
/// the child becomes a session leader in `/` with stdin/stdout/stderr on /dev/null.
///
/// Call it after the listeners are open (so a start-up error still reaches the
/// terminal and the exit status) and BEFORE any thread is started: fork(2) copies only
/// the calling thread. Pound does it after opening listeners and before writing the PID
/// file, so the file holds the daemon's PID.
public enum Daemon {
    /// Returns in the child. Errors carry Pound's wording (`fork: ERR`, `setsid: ERR`,
    /// `can't change to /: ERR`, `can't open /dev/null: ERR`, `dup failed: ERR`).
    public static func detach() throws(ProcessSupportError) {
        // SIGHUP is ignored across fork/setsid: the parent's exit could otherwise send it
        // to the new session's process group.
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        var previous = sigaction()
        guard sigaction(SIGHUP, &ignore, &previous) == 0 else { throw .system("sigaction") }

        switch fork() {
        case -1:
            throw .system("fork")
        case 0:
            break
        default:
            _exit(0)
        }

        let sid = setsid()
        let setsidError = errno
        sigaction(SIGHUP, &previous, nil)
        guard sid != -1 else { throw .system("setsid", setsidError) }
        guard chdir("/") == 0 else { throw .system("can't change to /") }

        close(0)
        close(1)
        close(2)
        guard open("/dev/null", O_RDONLY) != -1 else { throw .system("can't open /dev/null") }
        guard open("/dev/null", O_WRONLY) != -1 else { throw .system("can't open /dev/null") }
        guard dup(1) != -1 else { throw .system("dup failed") }
    }
}
