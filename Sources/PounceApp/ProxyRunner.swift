import PoundConfig
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
    static func run(config: PoundConfiguration, options: CommandLineOptions, program: ProgramName) -> Int32 {
        // Every thread started later inherits this mask, so only sigwait sees them.
        let signals = SignalWaiter()
        let foreground = options.foreground || options.logToStderr || !config.daemon
        let log: LogSink = (options.logToStderr || config.logFacility == nil)
            ? .console(programName: program.name)
            : .syslog(facility: config.logFacility ?? "daemon", tag: config.logTag ?? program.name)

        func abend(_ message: String) -> Int32 {
            log.log(.err, message)
            log.log(.notice, "\(program.name) terminated")
            return 1
        }

        let routing: RoutingTable
        do {
            routing = try RoutingTable.build(config)
        } catch {
            return abend("\(error)")
        }

        log.log(.notice, "starting...")
        var sockets: [Int32] = []
        for listener in config.listeners {
            switch listener.address {
            case .socketFrom(let path):
                do {
                    let received = try SocketFrom.receiveListeningSocket(path: path)
                    log.log(.debug, "\(listener.range): obtained address \(received.address)")
                    sockets.append(received.fd)
                } catch {
                    return abend("\(error)")
                }
            case .inet(let address):
                do {
                    sockets.append(try ListeningSocket.open(address))
                } catch {
                    return abend("\(error)")
                }
            }
        }

        if !foreground {
            do { try Daemon.detach() } catch { return abend("\(error)") }
        }
        if let pidFile = options.pidFile ?? config.pidFile {
            PIDFile.write(pidFile, log: log)
        }
        do {
            try Privileges.drop(user: config.user, group: config.group, rootJail: config.rootJail)
        } catch {
            return abend("\(error)")
        }

        let server: ProxyServer
        do {
            server = try ProxyServer(config: config, routing: routing, sockets: sockets, log: log)
            try server.start()
        } catch {
            return abend("\(error)")
        }

        let signal = signals.wait()
        log.log(.notice, "shutting down...")
        switch signal {
        case .graceful:
            server.stop(graceful: true, grace: config.grace)
        case .immediate:
            break
        }
        if let pidFile = options.pidFile ?? config.pidFile { PIDFile.remove(pidFile) }
        return 0
    }
}
