import PoundConfig
import RequestLog

/// What every way of running (one process, supervisor, worker) needs from the command
/// line and the configuration to log as Pound does: where messages go before and after
/// detaching, and how a fatal start-up error is reported.
struct StartupContext {
    let config: PoundConfiguration
    let options: CommandLineOptions
    let program: ProgramName
    /// The whole command line, program name first.
    let arguments: [String]
    /// Pound detaches unless `Daemon 0`, `-F` or `-e`.
    let daemon: Bool

    init(config: PoundConfiguration, options: CommandLineOptions, program: ProgramName, arguments: [String]) {
        self.config = config
        self.options = options
        self.program = program
        self.arguments = arguments
        daemon = config.daemon && !options.foreground && !options.logToStderr
    }

    /// The log before detaching (`starting`: errors still reach the terminal) or after.
    func sink(starting: Bool, config: PoundConfiguration? = nil) -> LogSink {
        let config = config ?? self.config
        let destination = LogDestination.pound(configuredFacility: config.logFacility, stderrOption: options.logToStderr,
                                               daemon: daemon, verbose: options.verbose, starting: starting)
        return LogSink(destination, programName: program.name, tag: config.logTag ?? program.name)
    }

    /// Pound's `abend`: the message (at its configuration location, if any), then
    /// "pound terminated"; exit status 1.
    func abend(_ message: String, at range: LocusRange? = nil, log: LogSink) -> Int32 {
        log.log(.error, range.map { "\($0): \(message)" } ?? message)
        log.log(.notice, "\(program.name) terminated")
        return 1
    }
}
