import NIOCore
import NIOPosix
import PoundConfig
import Routing
import Synchronization
import VRRP
#if canImport(Glibc)
import Glibc
#endif

/// The proxy's own health, as VRRP tracking asks about it. Each check runs its I/O on the
/// caller's event loop (the VRRP thread), never on the proxy's, so a stalled proxy cannot also
/// stall the check that is meant to notice it.
extension ProxyServer {
    /// Where the control interface, metrics and status page read the VRRP instances from.
    public func setFailoverStatus(_ provider: @escaping @Sendable () -> [VRRPStatus]) {
        env.control?.plane.setFailoverStatus(provider)
    }

    /// A listener by its name (`ListenHTTP "name"`) or its index in the file.
    public func listenerIndex(_ reference: String) -> Int? {
        Self.listenerIndex(reference, in: config)
    }

    /// The same, in a configuration no server runs here (a supervisor's).
    public static func listenerIndex(_ reference: String, in config: PoundConfiguration) -> Int? {
        if let match = config.listeners.firstIndex(where: { $0.name == reference }) { return match }
        if let n = Int(reference), config.listeners.indices.contains(n) { return n }
        return nil
    }

    /// Whether the listener takes in a connection: a TCP connect to it from `loop`, counted as
    /// success only once one of the proxy's event loops has accepted it (the kernel completes the
    /// handshake on its own, so a connect alone would not notice a stalled or disabled listener).
    public func listenerAccepts(_ index: Int, timeout: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool> {
        guard let runtime = listeners.first(where: { $0.runtime.index == index })?.runtime,
              let target = Self.selfConnectAddress(runtime) else {
            return loop.makeSucceededFuture(false)
        }
        // A listener on a floating address (bound with ip_nonlocal_bind) can only be reached here
        // while this node holds the address; elsewhere a connect would test the peer's proxy.
        // Until then there is nothing to check, and the check must not keep a backup from taking over.
        guard let host = target.ipAddress, LocalAddresses.isLocal(host) else {
            return loop.makeSucceededFuture(true)
        }
        let before = runtime.counters.accepted.load(ordering: .relaxed)
        let deadline = NIODeadline.now() + timeout
        let connect = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .connect(to: target)
        return connect.flatMap { channel -> EventLoopFuture<Bool> in
            let promise = loop.makePromise(of: Bool.self)
            @Sendable func poll() {
                if runtime.counters.accepted.load(ordering: .relaxed) != before {
                    promise.succeed(true)
                } else if !channel.isActive || NIODeadline.now() >= deadline {
                    // Closed at once: the listener is disabled through the control interface.
                    promise.succeed(false)
                } else {
                    loop.scheduleTask(in: .milliseconds(5)) { poll() }
                }
            }
            poll()
            return promise.futureResult.always { _ in channel.close(promise: nil) }
        }.recover { _ in false }
    }

    /// Whether every proxy event loop runs a task within `bound`.
    public func loopsRespond(within bound: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool> {
        let replies = env.loops.all.map { context -> EventLoopFuture<Bool> in
            let promise = loop.makePromise(of: Bool.self)
            let timer = loop.scheduleTask(in: bound) { promise.succeed(false) }
            context.eventLoop.execute {
                loop.execute {
                    timer.cancel()
                    promise.succeed(true)
                }
            }
            return promise.futureResult
        }
        return EventLoopFuture.whenAllSucceed(replies, on: loop).map { $0.allSatisfy { $0 } }
    }

    /// Usable (alive and enabled) server backends of the named service, or nil for no such service.
    /// Listener services are searched first, in file order, then the global ones.
    public func usableBackends(service name: String) -> Int? {
        let services = routing.listeners.flatMap(\.services) + routing.globalServices
        guard let service = services.first(where: { $0.service.name == name }) else { return nil }
        return service.backends.filter { $0.isServer && $0.isUsable }.count
    }

    /// Where to connect to reach a listener from this host: its own address, or loopback for a
    /// wildcard one. UNIX and SocketFrom listeners have no such address here.
    private static func selfConnectAddress(_ runtime: ListenerRuntime) -> SocketAddress? {
        guard case .inet(let address) = runtime.listener.address, runtime.port > 0 else { return nil }
        let host: String
        switch address.host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::": host = "::1"
        default: host = address.host
        }
        return try? SocketAddress(ipAddress: host, port: runtime.port)
    }
}

extension ProxyServer {
    /// The generation a supervisor started this worker as, for the control API, the status
    /// page and the metrics.
    public func setGeneration(_ status: GenerationStatus) {
        env.control?.plane.setGeneration(status)
    }
}
