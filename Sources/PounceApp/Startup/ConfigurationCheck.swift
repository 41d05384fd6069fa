import PoundConfig
import PoundLua
import ProxyCore
import RequestLog
import Routing

/// Everything `pounce -c` checks, in one place for `-c`, a single process and a worker:
/// the file loads (Pound's diagnostics), its modules load and name known types, its Lua
/// sources load, and the routing table builds. A supervisor runs none of it itself (it
/// loads no module and no Lua, whose code could start threads or print): it runs
/// `pounce -c` as a child (`CheckProcess`) and reads the file for its listeners only.
struct ConfigurationCheck {
    let config: PoundConfiguration
    let routingOptions: RoutingOptions
    let scripts: LuaEngine?
    let loops: Int

    /// The file alone. Each diagnostic goes to `report` as it is found; nil when the file
    /// did not load (after "pound terminated" where Pound prints it).
    static func loadFile(options: CommandLineOptions, program: ProgramName,
                         report: @escaping (String) -> Void) -> PoundConfiguration? {
        let diagnostics = Diagnostics { d in report("\(d)") }
        do {
            return try ConfigLoader.load(file: options.configFile, features: options.features, diagnostics: diagnostics)
        } catch {
            if (error as? ConfigFailure)?.terminates == true { report("\(program.name) terminated") }
            return nil
        }
    }

    /// The rest, for a loaded file; nil after reporting why. `buildRouting`: build the
    /// routing table as well (a run builds it later anyway).
    static func prepare(_ config: PoundConfiguration, program: ProgramName, buildRouting: Bool,
                        report: @escaping (String) -> Void) -> ConfigurationCheck? {
        // Modules load under -c too, and routing is built there with them: a module
        // that fails to load, or a Session/Balancer naming no known type, is an error
        // of the configuration.
        guard let modules = ModuleSetup.registry(for: config, report: report) else { return nil }
        // Lua sources load under -c too, as in Pound: a file that does not load, or a
        // LuaMatch naming a function no source defines, is an error of the configuration.
        let loops = ProxyServer.loopCount(workerMaxCount: config.workerMaxCount)
        var scripts: LuaEngine?
        if let lua = config.lua {
            let startupLog = LogSink(.startup, programName: program.name)
            do {
                scripts = try LuaEngine(settings: lua, loops: loops, log: { startupLog.log($0, $1) })
            } catch {
                report("\(error)")
                return nil
            }
        }
        let routingOptions = RoutingOptions(modules: modules, scripts: scripts)
        if buildRouting {
            do {
                _ = try RoutingTable.build(config, options: routingOptions)
            } catch {
                report("\(error)")
                return nil
            }
        }
        return ConfigurationCheck(config: config, routingOptions: routingOptions, scripts: scripts, loops: loops)
    }
}
