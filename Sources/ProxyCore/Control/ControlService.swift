import PoundConfig
import ProcessSupport
import RequestLog
import Routing

/// Sets up the control interface for `ProxyServer`: the router every `Control`
/// backend uses and, with a `Control` socket, that socket's own listener. Like
/// Pound's `parse_control_listener`, the socket is a listener (PUT and DELETE
/// allowed) with one service whose only backend is `Control`.
struct ControlService {
    let router: ControlRouter
    private let controlListener: Listener?
    private let controlRouting: ListenerRouting?

    init(config: PoundConfiguration, routing: RoutingTable, sockets: [Int32], controlSocket: Int32?,
         version: String) throws {
        var listener: Listener?
        var controlRouting: ListenerRouting?
        if let control = config.control, controlSocket != nil {
            var l = Listener()
            l.address = .socketFrom(control.path)
            l.range = control.range
            l.allowedMethods = [.basic, .extended]
            l.logLevel = config.defaults.logLevel
            var service = Service()
            service.range = control.range
            service.backends.normal = [Backend(kind: .control, priority: 1, range: control.range)]
            l.services = [service]
            var own = PoundConfiguration()
            own.listeners = [l]
            controlRouting = try RoutingTable.build(own).listeners.first
            listener = l
        }
        let addresses = sockets.map { SocketAddressText.local(of: $0) ?? "" }
        let plane = ControlPlane(config: config, routing: routing, addresses: addresses,
                                 controlRouting: controlRouting)
        self.router = ControlRouter(plane: plane, version: version)
        self.controlListener = listener
        self.controlRouting = controlRouting
    }

    /// The control socket's listener, numbered `index` for the engine (after the
    /// configured ones, so it shares no TLS context or tunnel with them).
    func listener(index: Int, formats: RequestLogFormats, log: LogSink, config: PoundConfiguration) -> ListenerRuntime? {
        guard let controlListener, let controlRouting else { return nil }
        return ListenerRuntime(index: index, listener: controlListener, routing: controlRouting,
                               localAddress: "127.0.0.1", port: 0,
                               logger: RequestLogger(listener: controlListener, formats: formats, sink: log),
                               config: config)
    }
}
