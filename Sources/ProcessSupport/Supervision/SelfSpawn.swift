import CProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// Starts this same program again in `directory`, as a worker or as the `pounce -c` that
/// checks a configuration: `/proc/self/exe`, so an upgraded binary on disk does not mix
/// with the running supervisor, with the given arguments, one more environment variable,
/// the given descriptors placed at 3, 4, 5, ... in order (everything else the supervisor
/// holds is close-on-exec) and, when given, other standard output and error. The signals
/// the supervisor blocks are unblocked and back to their defaults in the child, which
/// sets up its own.
public enum SelfSpawn {
    public static func start(arguments: [String], environment: (name: String, value: String)?,
                             descriptors: [Int32], directory: String, standardOutput: Int32? = nil,
                             standardError: Int32? = nil) throws(ProcessSupportError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Each source is first moved above the target range, so that placing one at
        // 3 + i never overwrites another source still to be placed.
        let base: Int32 = 3
        let scratch = base + Int32(descriptors.count) + 64
        for (i, fd) in descriptors.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, scratch + Int32(i))
        }
        for i in descriptors.indices {
            // dup2 clears close-on-exec on the copy: these are the ones the worker keeps.
            posix_spawn_file_actions_adddup2(&actions, scratch + Int32(i), base + Int32(i))
            posix_spawn_file_actions_addclose(&actions, scratch + Int32(i))
        }

        if let standardOutput { posix_spawn_file_actions_adddup2(&actions, standardOutput, 1) }
        if let standardError { posix_spawn_file_actions_adddup2(&actions, standardError, 2) }
        // A daemon's supervisor runs in `/`; the worker reads the configuration (and the
        // files it names) from where pounce was started, as a single process does.
        pounce_spawn_add_chdir(&actions, directory)

        var env: [String] = []
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let environment, text.hasPrefix(environment.name + "=") {
                p += 1
                continue
            }
            env.append(text)
            p += 1
        }
        if let environment { env.append("\(environment.name)=\(environment.value)") }
        var cArgs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid = pid_t()
        // Its own process group (SpawnAttributes): a Ctrl-C at the terminal reaches the
        // supervisor, which stops the worker its own way, instead of both at once.
        let rc = SpawnAttributes.with { attributes in
            posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, &cArgs, &cEnv)
        }
        guard rc == 0 else { throw ProcessSupportError("can't start pounce again: \(ProcessSupportError.errorText(rc))", code: rc) }
        return pid
    }

    /// In the worker: take the supervisor's program name back (ps would show "exe").
    public static func takeName(_ name: String) {
        _ = pounce_set_process_name(String(name.prefix(15)))
    }

    /// In the worker: die with the supervisor (SIGKILL), so that a killed supervisor
    /// never leaves a worker serving on its own. False when the supervisor is already
    /// gone (the worker should exit).
    public static func dieWithParent(expectedParent: pid_t) -> Bool {
        _ = pounce_set_parent_death_signal(SIGKILL)
        return getppid() == expectedParent
    }
}
