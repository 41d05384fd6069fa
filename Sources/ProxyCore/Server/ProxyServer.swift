import NIOCore
import NIOPosix
import OpenSSLTLS
import ProcessSupport
import PoundConfig
import RequestLog
import Routing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The running proxy: one event loop per core, every listener accepting on all of
/// them, the backend resurrection timer, and graceful or immediate shutdown.
public final class ProxyServer: Sendable {
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    let config: PoundConfiguration
    let routing: RoutingTable
    private let group: MultiThreadedEventLoopGroup
    let env: ProxyEnvironment
    let listeners: [(runtime: ListenerRuntime, fd: Int32)]
    /// One OpenSSL context set per `ListenHTTPS`, by listener index.
    private let tlsContexts: [Int: TLSServerContext]
    private let tunnels: [Int: (BackendState, BackendTarget)]
    private let serverChannels = Mutex<[Channel]>([])
    private let resurrection = Mutex<HealthMonitor?>(nil)
    /// The lookups of `Resolve first|all|srv` backends, once started.
    private let dynamicBackends = Mutex<DynamicBackends?>(nil)
    /// Each matrix's `HTTPS` context, made at start-up like a static backend's.
    private let matrixTLS: [ObjectIdentifier: BackendTLS]

    /// `sockets[i]` is the listening descriptor of `config.listeners[i]`, already
    /// bound or received through `SocketFrom`.
    /// `controlSocket` is the bound `Control` socket (`ControlSocketFile.open`).
    /// `certificates` provides the `AutoCert` certificates (needed when there are any).
    public init(config: PoundConfiguration, routing: RoutingTable, sockets: [Int32], log: LogSink,
                threads: Int = CPUAffinity.usableCores(), controlSocket: Int32? = nil,
                version: String = ControlRouter.poundVersion, certificates: AutomaticCertificates? = nil) throws {
        self.config = config
        self.routing = routing
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(threads, 1))
        var targets: [ObjectIdentifier: BackendTarget] = [:]
        var matrixTLS: [ObjectIdentifier: BackendTLS] = [:]
        for backend in routing.allBackends {
            if backend.isMatrix, case .regular(let server) = backend.backend.kind {
                matrixTLS[ObjectIdentifier(backend)] = try Self.backendTLS(server, backend: backend, log: log)
            } else if let target = try Self.target(for: backend, log: log) {
                targets[ObjectIdentifier(backend)] = target
            }
        }
        self.matrixTLS = matrixTLS
        var tunnels: [Int: (BackendState, BackendTarget)] = [:]
        for (i, listener) in config.listeners.enumerated() {
            if case .tunnel(let tunnel) = listener.kind {
                let backend = BackendState.tunnel(tunnel)
                if let target = try Self.target(for: backend, log: log) { tunnels[i] = (backend, target) }
            }
        }
        self.tunnels = tunnels
        var tlsContexts: [Int: TLSServerContext] = [:]
        for (i, listener) in config.listeners.enumerated() {
            guard let settings = listener.tls else { continue }
            do {
                tlsContexts[i] = try TLSServerContext(settings: settings, http2: listener.servesHTTP2,
                                                      automatic: certificates)
            } catch {
                throw StartFailure(description: error.range.map { "\($0): \(error.message)" } ?? error.message)
            }
        }
        self.tlsContexts = tlsContexts
        var logObjects: [ObjectIdentifier: RequestLogObject] = [:]
        var redirectTemplates: [ObjectIdentifier: Template] = [:]
        for service in routing.listeners.flatMap(\.services) {
            logObjects[ObjectIdentifier(service)] = RequestLogObject(service: service.service)
            for backend in service.backends {
                logObjects[ObjectIdentifier(backend)] = RequestLogObject(name: backend.displayName, range: backend.backend.range)
                if case .redirect(let r) = backend.backend.kind, r.hasExpansions,
                   let template = try? Template(r.url, unknownAccessors: .literal) {
                    redirectTemplates[ObjectIdentifier(backend)] = template
                }
            }
        }
        let control = try ControlService(config: config, routing: routing, sockets: sockets,
                                         controlSocket: controlSocket, version: version)
        if let certificates { control.router.plane.setCertificateStatus { certificates.statuses } }
        self.env = ProxyEnvironment(log: log, loops: LoopContexts(group: group), targets: targets, logObjects: logObjects,
                                    redirectTemplates: redirectTemplates, control: control.router)
        let formats = RequestLogFormats(configuration: config)
        var listeners: [(ListenerRuntime, Int32)] = []
        for (i, listener) in config.listeners.enumerated() where i < sockets.count && i < routing.listeners.count {
            let port = SocketAddressText.localPort(of: sockets[i]) ?? 0
            let host: String
            if case .inet(let a) = listener.address { host = a.host } else { host = "127.0.0.1" }
            let runtime = ListenerRuntime(index: i, listener: listener, routing: routing.listeners[i],
                                          localAddress: host, port: port,
                                          logger: RequestLogger(listener: listener, formats: formats, sink: log),
                                          config: config, scripts: routing.scripts,
                                          counters: control.router.plane.counters(ofConfigured: i) ?? ListenerCounters())
            listeners.append((runtime, sockets[i]))
        }
        if let runtime = control.listener(index: config.listeners.count, formats: formats, log: log, config: config),
           let controlSocket {
            listeners.append((runtime, controlSocket))
        }
        self.listeners = listeners
    }

    /// How many event loops to run: one per usable core, at most `WorkerMaxCount`
    /// (Pound's thread limit; `Threads` sets it too), and so how many per-loop Lua
    /// states there are.
    public static func loopCount(workerMaxCount: Int, cores: Int = CPUAffinity.usableCores()) -> Int {
        max(1, min(cores, workerMaxCount > 0 ? workerMaxCount : cores))
    }

    private static func target(for backend: BackendState, log: LogSink) throws -> BackendTarget? {
        guard case .regular(let server) = backend.backend.kind, let address = backend.address else { return nil }
        let socketAddress: SocketAddress
        do {
            switch address {
            case .inet(let host, let port):
                socketAddress = try BackendAddressResolution.socketAddress(host: host, port: port, family: server.family)
            case .dynamic:
                return nil
            case .unix(let path):
                socketAddress = try SocketAddress(unixDomainSocketPath: path)
            }
        } catch {
            throw StartFailure(description: "\(backend.displayName): can't resolve backend address: \(error)")
        }
        return BackendTarget(address: socketAddress, connectTimeout: server.connectTimeout, timeout: server.timeout,
                             webSocketTimeout: server.webSocketTimeout,
                             tls: try backendTLS(server, backend: backend, log: log))
    }

    /// `HTTPS`: the backend's client context, loaded once. Pound reads the `Cert`
    /// file while parsing; its complaints come out here in the same words.
    private static func backendTLS(_ server: Backend.Server, backend: BackendState, log: LogSink) throws -> BackendTLS? {
        guard let settings = server.tls else { return nil }
        do {
            let context = try TLSClientContext(settings: settings, serverName: server.serverName,
                                               range: backend.backend.range)
            return BackendTLS(context: context, log: log, name: backend.displayName)
        } catch {
            throw StartFailure(description: error.range.map { "\($0): \(error.message)" } ?? error.message)
        }
    }

    /// Starts accepting on every listener.
    /// Binds the listeners to the event loops. `accepting: false` leaves them registered
    /// but not accepting until `setAccepting(true)`: a supervised worker waits so that it
    /// and the worker it replaces never accept from the shared sockets at the same time.
    public func start(accepting: Bool = true) throws {
        var channels: [Channel] = []
        for (runtime, fd) in listeners {
            let env = self.env
            let tunnel = tunnels[runtime.index]
            let tls = tlsContexts[runtime.index]
            let isUnix = runtime.index >= config.listeners.count
            var bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 1024)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(ChannelOptions.autoRead, value: accepting)
                .childChannelOption(ChannelOptions.autoRead, value: false)
                .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                .childChannelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
                // NIO keeps a channel's last receive buffer for its next read, so an idle
                // keep-alive connection holds one. Start at 1024 bytes (NIO's default is
                // 2048): a ClientHello, a resuming one with its ticket too, fits in one
                // read (with 512, resumed handshakes cost 12% more CPU); a read that fills
                // the buffer grows the next one.
                .childChannelOption(ChannelOptions.recvAllocator,
                                    value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 65536))
            if !isUnix { bootstrap = bootstrap.childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1) }
            bootstrap = bootstrap
                .childChannelInitializer { channel in
                    // A listener disabled through the control interface drops what it accepts.
                    if env.control?.plane.isConfiguredListenerDisabled(runtime.index) ?? false {
                        return channel.close()
                    }
                    runtime.counters.accepted.add(1, ordering: .relaxed)
                    return channel.eventLoop.makeCompletedFuture {
                        guard let loop = env.loops.context(for: channel.eventLoop) else {
                            throw StartFailure(description: "unknown event loop")
                        }
                        if let tls {
                            let peer = channel.remoteAddress?.ipAddress ?? "-"
                            try channel.pipeline.syncOperations.addHandler(TLSHandler(context: tls) { message in
                                env.log.log(.notice, "(\(loop.threadTag)): \(peer): \(message)")
                            })
                        }
                        if let (backend, target) = tunnel {
                            try channel.pipeline.syncOperations.addHandler(
                                TunnelHandler(backend: backend, target: target, env: env, loop: loop))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(
                                HTTP1ConnectionHandler(listener: runtime, env: env, loop: loop))
                        }
                    }
                }
            channels.append(try bootstrap.withBoundSocket(fd).wait())
        }
        serverChannels.withLock { $0 = channels }
        for loop in env.loops.all {
            loop.eventLoop.execute { loop.startSweep() }
        }
        startResurrection()
        try startDynamicBackends()
    }

    /// `Resolve first|all|srv`: DNS lookups that keep each matrix's backends current;
    /// the health checks and the loops' connection pools follow each change.
    private func startDynamicBackends() throws {
        var matrices: [DynamicBackends.Matrix] = []
        for service in routing.services {
            for backend in service.backends where backend.isMatrix {
                guard case .regular(let server) = backend.backend.kind else { continue }
                matrices.append(DynamicBackends.Matrix(service: service, backend: backend, server: server,
                                                       tls: matrixTLS[ObjectIdentifier(backend)]))
            }
        }
        guard !matrices.isEmpty else { return }
        let env = self.env
        let alive = config.alive
        let dynamic = DynamicBackends(matrices: matrices, settings: config.resolver, log: env.log) { [self] service, change in
            let monitor = resurrection.withLock { $0 }
            monitor?.remove(change.removed)
            monitor?.add(change.added.compactMap { HealthMonitor.member(of: $0, in: service, env: env, alive: alive) })
            guard !change.removed.isEmpty else { return }
            for loop in env.loops.all {
                loop.eventLoop.execute {
                    for backend in change.removed { loop.pool.closeIdle(backend) }
                }
            }
        }
        try dynamic.start()
        dynamicBackends.withLock { $0 = dynamic }
    }

    /// `Alive`: Pound's resurrection probes, 2.x `HAport` and Pounce's HTTP checks.
    private func startResurrection() {
        guard let loop = env.loops.all.first?.eventLoop else { return }
        let members = HealthMonitor.members(routing: routing, tunnels: Array(tunnels.values), env: env,
                                            alive: config.alive)
        let monitor = HealthMonitor(members: members, loop: loop, log: env.log)
        monitor.start()
        resurrection.withLock { $0 = monitor }
    }

    /// Starts or stops taking connections from the listening sockets, which stay open
    /// (a supervisor and the next worker share them: what is still queued is theirs).
    /// Once stopped, the connections already accepted have got through their set-up.
    public func setAccepting(_ on: Bool) {
        let channels = serverChannels.withLock { $0 }
        for channel in channels { try? channel.setOption(ChannelOptions.autoRead, value: on).wait() }
        guard !on else { return }
        // The set-up hops between the listener's loop and the connection's.
        for _ in 0..<3 {
            for loop in env.loops.all { try? loop.eventLoop.submit {}.wait() }
        }
    }

    /// Stops accepting. Graceful: let exchanges in progress finish, up to `grace`
    /// seconds (idle keep-alive connections close at once); immediate: drop all.
    public func stop(graceful: Bool, grace: Int) {
        dynamicBackends.withLock { $0?.stop() }
        resurrection.withLock { $0?.stop() }
        let channels = serverChannels.withLock { $0 }
        // Stop accepting before closing: NIO sets up a connection it accepted on the child's
        // loop and then hands it back to the listener's, and closes it, request unread (the
        // client sees a reset), when the listener is closed by then.
        setAccepting(false)
        for channel in channels { try? channel.close().wait() }
        if graceful {
            for loop in env.loops.all {
                try? loop.eventLoop.submit { loop.beginShutdown() }.wait()
            }
            let deadline = Clock.nowNanos() &+ UInt64(max(grace, 0)) &* 1_000_000_000
            var announced = false
            while env.openConnections.load(ordering: .relaxed) > 0 && Clock.nowNanos() < deadline {
                if !announced {
                    announced = true
                    env.log.log(.info, "waiting for \(env.openConnections.load(ordering: .relaxed)) active threads to terminate")
                }
                usleep(20_000)
            }
        }
        for loop in env.loops.all {
            try? loop.eventLoop.submit { loop.abortAll() }.wait()
        }
        // One more turn of each loop lets the close callbacks run before the stop.
        for loop in env.loops.all {
            try? loop.eventLoop.submit {}.wait()
        }
        // NIO stops its loops through Dispatch, whose worker-pool monitor reads /proc
        // and traps inside a RootJail that has none. The process exits right after
        // `stop`, so in a jail the idle loop threads are simply left to the exit.
        if config.rootJail == nil { try? group.syncShutdownGracefully() }
    }
}
