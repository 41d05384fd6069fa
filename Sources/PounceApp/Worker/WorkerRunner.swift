import PoundConfig
import PoundLua
import ProcessSupport
import ProxyCore
import RequestLog
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// A worker started by the supervisor: it serves on the sockets it inherited (it binds
/// nothing, detaches never and writes no PID file), takes over the sticky sessions of
/// the worker before it, says "ready" once it accepts, answers the supervisor's
/// questions on its link and stops on the supervisor's signal as Pound stops.
enum WorkerRunner {
    static func run(_ context: StartupContext, handoffText: String, routingOptions: RoutingOptions, loops: Int,
                    scripts: LuaEngine?) -> Int32 {
        let config = context.config
        let signals = SignalWaiter()
        SelfSpawn.takeName(context.program.name)
        let log = context.sink(starting: false)
        scripts?.setLog { log.log($0, $1) }
        let handoff: WorkerHandoff
        do {
            handoff = try WorkerHandoff(parsing: handoffText)
        } catch {
            return context.abend("\(error)", log: log)
        }
        guard handoff.listeners.count == config.listeners.count else {
            // The file changed between the supervisor's reading and this one.
            return context.abend("the configuration has \(config.listeners.count) listeners, the supervisor passed "
                                 + "\(handoff.listeners.count)", log: log)
        }
        let routing: RoutingTable
        do {
            routing = try RoutingTable.build(config, options: routingOptions)
            let privileges = try Privileges.resolve(user: config.user, group: config.group)
            try privileges.drop(rootJail: config.rootJail)
        } catch {
            return context.abend("\(error)", log: log)
        }
        // A daemon runs in `/` once its configuration is read, as a single process does
        // after detaching (the supervisor started this worker where pounce was started).
        if context.daemon && config.rootJail == nil { _ = chdir("/") }
        // After the drop: a change of credentials clears the parent-death signal.
        guard SelfSpawn.dieWithParent(expectedParent: handoff.parent) else {
            return context.abend("the supervisor is gone", log: log)
        }
        if let fd = handoff.sessions {
            restoreSessions(from: fd, into: routing, log: log)
        }

        let serving: Serving
        do {
            serving = try Serving.start(config: config, routing: routing, sockets: handoff.listeners,
                                        controlSocket: handoff.control, log: log, loops: loops,
                                        status: GenerationStatus(generation: handoff.generation, startedAt: time(nil)),
                                        accepting: false)
        } catch {
            return context.abend("\(error)", log: log)
        }
        // Accepting starts when the supervisor says so over the link, once the worker this
        // one replaces has stopped: two processes never accept from one socket at a time.
        let failover = FailoverRelay()
        if !config.vrrp.isEmpty { serving.server.setFailoverStatus { failover.statuses } }
        let responder = LinkResponder(link: LinkConnection(fd: handoff.link), server: serving.server, routing: routing,
                                      failover: failover)
        responder.start()
        let ready = LinkConnection(fd: handoff.ready)
        ready.write("ready\n")
        ready.close()

        let signal = signals.wait()
        serving.stop(signal, grace: config.grace)
        return 0
    }

    /// The previous worker's sessions, from the file the supervisor passed. A bad file
    /// costs the sessions, never the start.
    private static func restoreSessions(from fd: Int32, into routing: RoutingTable, log: LogSink) {
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        do {
            let handoff = try SessionHandoff.decode(bytes)
            let restored = routing.importSessions(handoff)
            log.log(.info, "took over \(restored) of \(handoff.entries.count) sessions from the previous worker")
        } catch {
            log.log(.warning, "sessions of the previous worker not taken over: \(error)")
        }
    }
}
