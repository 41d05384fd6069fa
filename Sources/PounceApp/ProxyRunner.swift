import PoundConfig
import PoundLua
import ProcessSupport
import ProxyCore
import RequestLog
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// `pounce` without `-c` as the one process that serves (no supervisor: `Supervisor no`,
/// or `-e` without `-F`).
enum ProxyRunner {
    /// Pound's start-up sequence (open the log, take or bind the listening sockets in
    /// config order, detach, write the PID file, drop privileges), then serve until a
    /// signal says stop.
    static func run(_ context: StartupContext, routingOptions: RoutingOptions, loops: Int,
                    scripts: LuaEngine?) -> Int32 {
        let config = context.config
        // Every thread started later inherits this mask, so only sigwait sees them.
        let signals = SignalWaiter()
        let startupLog = context.sink(starting: true)

        let routing: RoutingTable
        let privileges: Privileges
        do {
            routing = try RoutingTable.build(config, options: routingOptions)
            privileges = try Privileges.resolve(user: config.user, group: config.group)
        } catch {
            return context.abend("\(error)", log: startupLog)
        }

        startupLog.log(.notice, "starting...")
        let listenerSockets = ListenerSockets()
        let sockets: [Int32]
        let controlSocket: Int32?
        do {
            sockets = try listenerSockets.sockets(for: config, log: startupLog)
            controlSocket = try openControlSocket(config, privileges: privileges)
        } catch {
            return context.abend(error.message, at: error.range, log: startupLog)
        }

        if context.daemon {
            do { try Daemon.detach() } catch { return context.abend("\(error)", log: startupLog) }
        }
        let log = context.sink(starting: false)
        scripts?.setLog { log.log($0, $1) }
        let pidFile = writePIDFile(context, log: log)
        do {
            // VRRP sends raw packets and changes addresses after the drop (Pounce extension).
            try privileges.drop(rootJail: config.rootJail,
                                keeping: config.vrrp.isEmpty ? [] : HighAvailability.capabilities)
        } catch {
            return context.abend("\(error)", log: log)
        }

        let serving: Serving
        do {
            serving = try Serving.start(config: config, routing: routing, sockets: sockets, controlSocket: controlSocket,
                                        log: log, loops: loops, status: nil)
        } catch {
            return context.abend("\(error)", log: log)
        }
        // VRRP comes last: the floating address is claimed only by a proxy that already serves.
        let highAvailability = HighAvailability(config: config, health: serving.server, log: log)
        do {
            try highAvailability?.start()
            serving.server.setFailoverStatus { highAvailability?.statuses ?? [] }
        } catch {
            serving.server.stop(graceful: false, grace: 0)
            return context.abend(error.message, at: error.range, log: log)
        }
        // systemd Type=notify: ready only once every listener is bound and serving.
        let notify = SystemdNotify.fromEnvironment()
        do { try notify?.ready() } catch { log.log(.warning, "\(error)") }

        let signal = signals.wait()
        log.log(.notice, "shutting down...")
        do { try notify?.stopping() } catch { log.log(.warning, "\(error)") }
        // Give the address away first: the peer takes over within its skew time while this
        // proxy finishes what it has.
        highAvailability?.stop()
        serving.stop(signal, grace: config.grace)
        try? pidFile?.remove()
        if let control = config.control { unlink(control.path) }
        return 0
    }

    /// The bound `Control` socket, or nil when the configuration has none.
    static func openControlSocket(_ config: PoundConfiguration,
                                  privileges: Privileges) throws(StartupFailure) -> Int32? {
        guard let control = config.control else { return nil }
        do {
            return try ControlSocketFile.open(control, owner: privileges.userID, group: privileges.groupID)
        } catch {
            throw StartupFailure(range: control.range, message: "\(error)")
        }
    }

    /// `-p` or `PIDFile`; a failure is logged, as Pound does, and start-up goes on.
    static func writePIDFile(_ context: StartupContext, log: LogSink) -> PIDFile? {
        guard let path = context.options.pidFile ?? context.config.pidFile else { return nil }
        do {
            return try PIDFile.write(path, survivingChroot: context.config.rootJail != nil)
        } catch {
            log.log(.notice, "\(error)")
            return nil
        }
    }
}
