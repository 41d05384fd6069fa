import PoundConfig

/// Pound's command line: `[-FVcehv] [-W [no-]FEATURE] [-f FILE] [-p FILE]`.
///
/// Parsed by hand with POSIX getopt rules (clustered flags `-ce`, joined or separate
/// arguments `-Wno-dns` / `-W no-dns`, `--` ends options) because Pound's scripts and
/// test harness depend on exactly these spellings and on getopt's error texts, which
/// swift-argument-parser does not reproduce.
public struct CommandLineOptions: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case run
        case check
        case help
        case version
    }

    public var action: Action = .run
    public var configFile = Features.defaultConfigFile
    public var pidFile: String?
    public var foreground = false
    /// `-F` itself was given (`-e` keeps Pound in the foreground too, but only `-F` asks
    /// for Pounce's supervisor outside daemon mode).
    public var foregroundFlag = false
    public var logToStderr = false
    /// `-v`: print log messages to stdout/stderr during startup.
    public var verbose = false
    public var features = Features()

    public init() {}

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// getopt's own messages, which name the program as invoked (argv[0]).
        case invalidOption(Character)
        case missingArgument(Character)
        /// Reported through the logger (`PROG: invalid feature name: X`).
        case invalidFeature(String)
        case extraArguments(String)
        case featureError(String)

        public var description: String {
            switch self {
            case .invalidOption(let c): "invalid option -- '\(c)'"
            case .missingArgument(let c): "option requires an argument -- '\(c)'"
            case .invalidFeature(let f): "invalid feature name: \(f)"
            case .extraArguments(let a): "unknown extra arguments (\(a)...)"
            case .featureError(let m): m
            }
        }

        /// getopt prints with the full argv[0]; Pound's own messages use the basename.
        public var usesInvocationName: Bool {
            switch self {
            case .invalidOption, .missingArgument: true
            default: false
            }
        }
    }

    /// Parses `arguments` (without argv[0]). `-h` and `-V` stop parsing at once, as in Pound.
    public static func parse(_ arguments: [String]) throws(ParseError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var checkOnly = false
        var i = 0
        argumentLoop: while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" { i += 1; break }
            guard arg.hasPrefix("-"), arg.count > 1 else { break }
            var chars = Array(arg.dropFirst())
            while !chars.isEmpty {
                let c = chars.removeFirst()
                switch c {
                case "c": checkOnly = true
                case "e":
                    options.logToStderr = true
                    options.foreground = true
                case "F":
                    options.foreground = true
                    options.foregroundFlag = true
                case "v": options.verbose = true
                case "h":
                    options.action = .help
                    return options
                case "V":
                    options.action = .version
                    return options
                case "f", "p", "W":
                    let value: String
                    if !chars.isEmpty {
                        value = String(chars)
                        chars = []
                    } else if i + 1 < arguments.count {
                        i += 1
                        value = arguments[i]
                    } else {
                        throw .missingArgument(c)
                    }
                    switch c {
                    case "f": options.configFile = value
                    case "p": options.pidFile = value
                    default: try options.features.set(value)
                    }
                default:
                    throw .invalidOption(c)
                }
            }
            i += 1
            continue argumentLoop
        }
        if i < arguments.count {
            throw .extraArguments(arguments[i])
        }
        if checkOnly { options.action = .check }
        return options
    }
}

extension Features {
    /// One `-W` argument: `dns`, `no-dns`, `include-dir=DIR`, `no-include-dir`,
    /// `warn-deprecated`, `close-extra-fds`, each optionally `no-`.
    mutating func set(_ spec: String) throws(CommandLineOptions.ParseError) {
        var name = Substring(spec)
        var value: Substring?
        if let eq = name.firstIndex(of: "=") {
            value = name[name.index(after: eq)...]
            name = name[..<eq]
        }
        var enabled = true
        if value == nil, name.hasPrefix("no-") {
            name = name.dropFirst(3)
            enabled = false
        }
        switch name {
        case "dns" where value == nil: dns = enabled
        case "warn-deprecated" where value == nil: warnDeprecated = enabled
        case "close-extra-fds" where value == nil: closeExtraFileDescriptors = enabled
        case "include-dir":
            guard enabled else {
                includeDirectory = nil
                return
            }
            guard let value, !value.isEmpty, value != "." else {
                // `-W include-dir` or `=.`: the working directory.
                includeDirectory = nil
                return
            }
            let dir = String(value)
            switch FileSystem.fileInfo(dir) {
            case .failure(let e):
                throw .featureError("include-dir: can't stat \(dir): \(e)")
            case .success(let info) where !info.isDirectory:
                throw .featureError("include-dir: \(dir) is not a directory")
            case .success:
                includeDirectory = dir
            }
        default:
            throw .invalidFeature(spec)
        }
    }
}
