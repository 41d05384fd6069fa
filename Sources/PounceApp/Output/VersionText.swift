import PoundConfig

/// The texts of `-V` and `-h`, in Pound's layout so scripts that parse them keep working.
public enum VersionText {
    public static let version = "0.1.0"
    /// The Pound release whose configuration language and behaviour we follow.
    public static let poundCompatibility = "4.23"

    public static func version(program: ProgramName) -> String {
        var s = "\(program.name) (pounce) \(version)\n"
        s += "Pound-compatible reverse proxy and load balancer (Pound \(poundCompatibility) configuration language)\n"
        s += "\nBuilt-in defaults:\n\n"
        let settings: [(String, String)] = [
            ("Configuration file", Features.defaultConfigFile),
            ("Include directory", Features.defaultIncludeDirectory),
            ("PID file", Features.defaultPIDFile),
            ("Buffer size", "4096"),
            ("Regex types", "POSIX, PCRE2"),
            ("Dynamic backends", "disabled"),
            ("FS event monitoring", "inotify"),
            ("Lua support", "enabled"),
        ]
        for (key, value) in settings {
            let label = key + ":"
            s += label + String(repeating: " ", count: max(0, 28 - label.count)) + value + "\n"
        }
        return s
    }

    public static func help(program: ProgramName) -> String {
        """
        usage: \(program.name) [-FVcehv] [-W [no-]FEATURE] [-f FILE] [-p FILE]
        HTTP/HTTPS reverse-proxy and load-balancer

        Options are:

           -c               check configuration file syntax and exit
           -e               print errors on stderr (implies -F)
           -F               remain in foreground after startup
           -f FILE          read configuration from FILE
                            (default: \(Features.defaultConfigFile))
           -p FILE          write PID to FILE
                            (default: \(Features.defaultPIDFile))
           -V               print program version, compilation settings, and exit
           -v               print log messages to stdout/stderr during startup
           -W [no-]FEATURE  enable or disable optional feature

        FEATUREs are:
           dns              resolve host names found in configuration file (default)
           include-dir      include file directory
           warn-deprecated  warn if deprecated configuration statements are used (default)
           close-extra-fds  close file descriptors greater than 2 at startup (default)


        """
    }
}
