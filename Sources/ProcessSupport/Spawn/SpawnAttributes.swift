#if canImport(Glibc)
import Glibc
#endif

/// The posix_spawn attributes of every program the proxy starts (scripts, workers, the
/// configuration check): no signal blocked, the ones the proxy blocks, ignores or
/// handles back to their defaults, and a process group of the child's own, so a signal
/// meant for the proxy's group does not reach it and a timeout can kill what it started.
enum SpawnAttributes {
    static let defaulted: [Int32] = [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2]

    static func with<R>(_ body: (inout posix_spawnattr_t) -> R) -> R {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaulted { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        return body(&attributes)
    }
}
