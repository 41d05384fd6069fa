import ACME
import FileWatch
import OpenSSLTLS
import PoundConfig
import ProcessSupport
import ProxyCore
import RequestLog
import Routing

/// The proxy serving in this process: the server on its sockets and the watcher of
/// the files its routing reads. Shared by the single process and the worker.
struct Serving {
    let server: ProxyServer
    let watcher: FileWatcher?
    /// Obtains and renews the `AutoCert` certificates (nil without any).
    let certificates: CertificateManager?

    static func start(config: PoundConfiguration, routing: RoutingTable, sockets: [Int32], controlSocket: Int32?,
                      log: LogSink, loops: Int, status: GenerationStatus?, accepting: Bool = true) throws -> Serving {
        OCSPStapling.log = { log.log(.notice, $0) }
        let certificates = config.listeners.contains { !($0.tls?.autoCertificates.isEmpty ?? true) }
            ? CertificateManager(log: { log.log(.notice, $0) }) : nil
        let server = try ProxyServer(config: config, routing: routing, sockets: sockets, log: log, threads: loops,
                                     controlSocket: controlSocket, version: VersionText.poundCompatibility,
                                     certificates: certificates)
        // Watches go in before the first answer, so no change made after one is missed.
        let watcher = RoutingFileWatcher.start(routing, config: config, log: log)
        if let status { server.setGeneration(status) }
        try server.start(accepting: accepting)
        certificates?.start()
        return Serving(server: server, watcher: watcher, certificates: certificates)
    }

    /// Graceful (SIGHUP, SIGINT): stop accepting, finish within `grace` seconds.
    func stop(_ signal: ShutdownSignal, grace: Int) {
        watcher?.stop()
        certificates?.stop()
        switch signal {
        case .graceful: server.stop(graceful: true, grace: grace)
        case .immediate: break
        }
    }
}
