import FileWatch
import PoundConfig
import PoundLua
import ProcessSupport
import ProxyCore
import RequestLog
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// `pounce` without `-c`: Pound's start-up sequence (open the log, take or bind the
/// listening sockets in config order, detach, write the PID file, drop privileges),
/// then serve until a signal says stop.
enum ProxyRunner {
    static func run(config: PoundConfiguration, options: CommandLineOptions, routingOptions: RoutingOptions,
                    program: ProgramName, loops: Int, scripts: LuaEngine?) -> Int32 {
        // Every thread started later inherits this mask, so only sigwait sees them.
        let signals = SignalWaiter()
        let daemon = config.daemon && !options.foreground && !options.logToStderr
        func sink(starting: Bool) -> LogSink {
            let destination = LogDestination.pound(configuredFacility: config.logFacility, stderrOption: options.logToStderr,
                                                   daemon: daemon, verbose: options.verbose, starting: starting)
            return LogSink(destination, programName: program.name, tag: config.logTag ?? program.name)
        }
        let startupLog = sink(starting: true)

        func abend(_ message: String, at range: LocusRange? = nil, log: LogSink = startupLog) -> Int32 {
            log.log(.error, range.map { "\($0): \(message)" } ?? message)
            log.log(.notice, "\(program.name) terminated")
            return 1
        }

        let routing: RoutingTable
        let privileges: Privileges
        do {
            routing = try RoutingTable.build(config, options: routingOptions)
            privileges = try Privileges.resolve(user: config.user, group: config.group)
        } catch {
            return abend("\(error)")
        }

        startupLog.log(.notice, "starting...")
        var sockets: [Int32] = []
        for listener in config.listeners {
            switch listener.address {
            case .socketFrom(let path):
                do {
                    let received = try SocketFrom.receiveListeningSocket(path: path)
                    startupLog.log(.debug, SocketFrom.obtainedAddressMessage(location: listener.range.description,
                                                                             address: received.address))
                    sockets.append(received.fd)
                } catch {
                    return abend("\(error)", at: listener.range)
                }
            case .inet(let address):
                do {
                    sockets.append(try ListeningSocket.open(address))
                } catch {
                    return abend("\(error)", at: listener.range)
                }
            }
        }

        var controlSocket: Int32?
        if let control = config.control {
            do {
                controlSocket = try ControlSocketFile.open(control, owner: privileges.userID, group: privileges.groupID)
            } catch {
                return abend("\(error)", at: control.range)
            }
        }

        if daemon {
            do { try Daemon.detach() } catch { return abend("\(error)") }
        }
        let log = sink(starting: false)
        scripts?.setLog { log.log($0, $1) }
        var pidFile: PIDFile?
        if let path = options.pidFile ?? config.pidFile {
            do {
                pidFile = try PIDFile.write(path, survivingChroot: config.rootJail != nil)
            } catch {
                log.log(.notice, "\(error)")
            }
        }
        do {
            // VRRP sends raw packets and changes addresses after the drop (Pounce extension).
            try privileges.drop(rootJail: config.rootJail,
                                keeping: config.vrrp.isEmpty ? [] : [.netAdmin, .netRaw, .netBindService])
        } catch {
            return abend("\(error)", log: log)
        }

        let server: ProxyServer
        let watcher: FileWatcher?
        let highAvailability: HighAvailability?
        do {
            server = try ProxyServer(config: config, routing: routing, sockets: sockets, log: log, threads: loops,
                                     controlSocket: controlSocket, version: VersionText.poundCompatibility)
            // Watches go in before the first answer, so no change made after one is missed.
            watcher = RoutingFileWatcher.start(routing, config: config, log: log)
            try server.start()
        } catch {
            return abend("\(error)", log: log)
        }
        // VRRP comes last: the floating address is claimed only by a proxy that already serves.
        highAvailability = HighAvailability(config: config, server: server, log: log)
        do {
            try highAvailability?.start()
            server.setFailoverStatus { highAvailability?.statuses ?? [] }
        } catch let error as HighAvailabilityError {
            server.stop(graceful: false, grace: 0)
            return abend(error.message, at: error.range, log: log)
        } catch {
            server.stop(graceful: false, grace: 0)
            return abend("\(error)", log: log)
        }
        // systemd Type=notify: ready only once every listener is bound and serving.
        let notify = SystemdNotify.fromEnvironment()
        do { try notify?.ready() } catch { log.log(.warning, "\(error)") }

        let signal = signals.wait()
        log.log(.notice, "shutting down...")
        do { try notify?.stopping() } catch { log.log(.warning, "\(error)") }
        watcher?.stop()
        // Give the address away first: the peer takes over within its skew time while this
        // proxy finishes what it has.
        highAvailability?.stop()
        switch signal {
        case .graceful:
            server.stop(graceful: true, grace: config.grace)
        case .immediate:
            break
        }
        try? pidFile?.remove()
        if let control = config.control { unlink(control.path) }
        return 0
    }
}
