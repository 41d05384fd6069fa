import PoundConfig
import ProcessSupport
import ProxyCore
import RequestLog
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// The program: reads the command line and the configuration, then runs.
/// `main.swift` only calls `Pounce.main`.
public enum Pounce {
    /// Returns the process exit status.
    public static func main(arguments: [String]) -> Int32 {
        let program = ProgramName(argv0: arguments.first ?? "pounce")
        let options: CommandLineOptions
        do {
            options = try CommandLineOptions.parse(Array(arguments.dropFirst()))
        } catch {
            Console.err("\(error.usesInvocationName ? program.invocation : program.name): \(error)\n")
            return 1
        }
        switch options.action {
        case .help:
            Console.out(VersionText.help(program: program))
            return 0
        case .version:
            Console.out(VersionText.version(program: program))
            return 0
        case .check, .run:
            break
        }
        let printed: (String) -> Void = { Console.err("\(program.name): \($0)\n") }

        // A worker's supervisor has shown the file's warnings already; its errors (the file
        // changed meanwhile) still count. Everyone else shows them, in the order found,
        // once it is known whether this process is a supervisor, which shows none: the
        // `pounce -c` it runs does.
        let workerHandoff = options.action == .run ? getenv(WorkerHandoff.environmentName).map { String(cString: $0) } : nil
        var held: [String] = []
        guard let config = ConfigurationCheck.loadFile(options: options, program: program,
                                                       report: { held.append($0) }) else {
            held.forEach(printed)
            return 1
        }
        let context = StartupContext(config: config, options: options, program: program, arguments: arguments)
        let supervised = workerHandoff == nil && options.action == .run && Supervisor.supervises(context)
        if workerHandoff == nil && !supervised { held.forEach(printed) }

        if options.action == .check {
            guard ConfigurationCheck.prepare(config, program: program, buildRouting: true, report: printed) != nil else {
                return 1
            }
            // Pound logs this at LOG_INFO: it reaches stdout only when logging goes there.
            if options.verbose || config.logFacility == nil {
                Console.out("\(program.name): Config file \(options.configFile) is OK\n")
            }
            if options.verbose {
                Console.out("\(program.name): \(CheckSummary.line(file: options.configFile, config: config))\n")
            }
            return 0
        }
        if config.listeners.isEmpty {
            Console.err("\(program.name): no listeners defined\n")
            Console.err("\(program.name): \(program.name) terminated\n")
            return 1
        }
        if supervised { return Supervisor.run(context) }
        guard let prepared = ConfigurationCheck.prepare(config, program: program, buildRouting: false,
                                                        report: printed) else {
            return 1
        }
        if let workerHandoff {
            // Programs the worker runs (checks, hooks) are no workers.
            unsetenv(WorkerHandoff.environmentName)
            return WorkerRunner.run(context, handoffText: workerHandoff, routingOptions: prepared.routingOptions,
                                    loops: prepared.loops, scripts: prepared.scripts)
        }
        return ProxyRunner.run(context, routingOptions: prepared.routingOptions, loops: prepared.loops,
                               scripts: prepared.scripts)
    }
}
