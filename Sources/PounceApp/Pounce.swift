import PoundConfig
import PoundLua
import ProxyCore
import RequestLog
import Routing

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

        let diagnostics = Diagnostics { d in Console.err("\(program.name): \(d)\n") }
        let config: PoundConfiguration
        do {
            config = try ConfigLoader.load(file: options.configFile, features: options.features,
                                           diagnostics: diagnostics)
        } catch {
            if (error as? ConfigFailure)?.terminates == true { Console.err("\(program.name): \(program.name) terminated\n") }
            return 1
        }

        // Modules load under -c too, and routing is built there with them: a module
        // that fails to load, or a Session/Balancer naming no known type, is an error
        // of the configuration.
        guard let modules = ModuleSetup.registry(for: config, report: { Console.err("\(program.name): \($0)\n") }) else {
            return 1
        }
        // Lua sources load under -c too, as in Pound: a file that does not load, or a
        // LuaMatch naming a function no source defines, is an error of the configuration.
        let loops = ProxyServer.loopCount(workerMaxCount: config.workerMaxCount)
        var scripts: LuaEngine?
        if let lua = config.lua {
            let startupLog = LogSink(.startup, programName: program.name)
            do {
                scripts = try LuaEngine(settings: lua, loops: loops, log: { startupLog.log($0, $1) })
            } catch {
                Console.err("\(program.name): \(error)\n")
                return 1
            }
        }
        let routingOptions = RoutingOptions(modules: modules, scripts: scripts)

        // Pound logs this at LOG_INFO: it reaches stdout only when logging goes there.
        let logsToConsole = options.verbose || config.logFacility == nil
        if options.action == .check {
            do {
                _ = try RoutingTable.build(config, options: routingOptions)
            } catch {
                Console.err("\(program.name): \(error)\n")
                return 1
            }
            if logsToConsole { Console.out("\(program.name): Config file \(options.configFile) is OK\n") }
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
        return ProxyRunner.run(config: config, options: options, routingOptions: routingOptions, program: program,
                               loops: loops, scripts: scripts)
    }
}
