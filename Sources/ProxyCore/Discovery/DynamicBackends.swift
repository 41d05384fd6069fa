import DNSResolution
import NIOCore
import PoundConfig
import RequestLog
import Routing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Pound's dynamic backends: every matrix (a backend with `Resolve first|all|srv`)
/// is looked up in DNS when its answer expires, and its service's backends follow
/// the answer. The lookups run on the resolver's thread and the schedule in Swift
/// tasks: nothing here runs on an event loop.
final class DynamicBackends: Sendable {
    /// One matrix and what making its backends needs.
    struct Matrix: Sendable {
        let service: RuntimeService
        let backend: BackendState
        let server: Backend.Server
        /// The matrix's `HTTPS` client context, shared by the backends it makes.
        let tls: BackendTLS?

        /// The settings that shape its backends.
        var answer: MatrixAnswer.Matrix {
            MatrixAnswer.Matrix(server, priority: backend.priority, groupWeight: backend.groupWeight)
        }
    }

    private let matrices: [Matrix]
    private let settings: ResolverSettings
    private let configuration: ResolverConfiguration
    private let log: LogSink
    /// Told of each change, so the health checks and connection pools follow it.
    private let changed: @Sendable (RuntimeService, BackendSetChange) -> Void
    private let running = Mutex<(resolver: DNSResolver?, tasks: [Task<Void, Never>])>((nil, []))

    init(matrices: [Matrix], settings: ResolverSettings, log: LogSink,
         changed: @escaping @Sendable (RuntimeService, BackendSetChange) -> Void) {
        self.matrices = matrices
        self.settings = settings
        self.configuration = settings.configText.map(ResolverConfiguration.init(text:)) ?? ResolverConfiguration()
        self.log = log
        self.changed = changed
    }

    /// Starts the resolver and a lookup loop per matrix. A name that does not resolve
    /// yet keeps its place and is retried: start-up does not wait for DNS.
    func start() throws {
        guard !matrices.isEmpty else { return }
        for line in configuration.ignored {
            log.log(.warning, "resolver configuration \(line): not used by pounce")
        }
        let resolver: DNSResolver
        do {
            resolver = try DNSResolver(servers: configuration.servers.isEmpty ? nil : configuration.servers,
                                       timeoutMilliseconds: configuration.timeoutMilliseconds,
                                       tries: configuration.tries)
        } catch {
            throw ProxyServer.StartFailure(description: "can't start the DNS resolver: \(error)")
        }
        let tasks = matrices.map { matrix in
            Task.detached { [self] in await follow(matrix, resolver: resolver) }
        }
        running.withLock { $0 = (resolver, tasks) }
    }

    /// Cancels the lookup loops and stops the resolver (pending lookups end at once).
    func stop() {
        let (resolver, tasks) = running.withLock { state in
            defer { state = (nil, []) }
            return state
        }
        for task in tasks { task.cancel() }
        resolver?.shutdown()
    }

    private func follow(_ matrix: Matrix, resolver: DNSResolver) async {
        let name = matrix.backend.displayName
        while !Task.isCancelled {
            let delay: Int
            if matrix.backend.isDisabled {
                // Pound drops a disabled matrix's backends and looks again once enabled.
                apply([], matrix)
                delay = 1
            } else {
                let answer = await lookUp(matrix, resolver: resolver)
                if Task.isCancelled { return }
                switch answer {
                case .backends(let list, _):
                    apply(list, matrix)
                case .notFound:
                    log.log(.info, "\(name): host name not found; no backends until it resolves")
                    apply([], matrix)
                case .keep(let reason):
                    log.log(.warning, "\(name): DNS lookup failed: \(reason); keeping its backends")
                }
                delay = answer.delay(overrideTTL: matrix.server.overrideTTL,
                                     retryInterval: matrix.server.retryInterval ?? settings.retryInterval)
                if settings.debug {
                    log.log(.debug, "\(name): \(answer); next lookup in \(delay) s")
                }
            }
            matrix.backend.scheduleLookup(at: time(nil) + delay)
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    private func lookUp(_ matrix: Matrix, resolver: DNSResolver) async -> MatrixAnswer {
        let host: String
        if case .dynamic(let h, _, _)? = matrix.server.address { host = h } else { host = matrix.server.host ?? "" }
        let settings = matrix.answer
        guard settings.mode == .srv else {
            return MatrixAnswer.addresses(await addresses(of: host, settings, resolver), matrix: settings)
        }
        let srv = await Self.lookup(host, .srv, resolver)
        var targets: [String: [DNSAnswer]] = [:]
        if case .services(let records) = srv.outcome {
            for target in Set(records.map(\.target)) {
                targets[target] = await addresses(of: target, settings, resolver)
            }
        }
        return MatrixAnswer.services(srv, targets: targets, matrix: settings)
    }

    private func addresses(of host: String, _ matrix: MatrixAnswer.Matrix, _ resolver: DNSResolver) async -> [DNSAnswer] {
        var answers: [DNSAnswer] = []
        for type in matrix.addressTypes { answers.append(await Self.lookup(host, type, resolver)) }
        return answers
    }

    private static func lookup(_ name: String, _ type: DNSRecordType, _ resolver: DNSResolver) async -> DNSAnswer {
        await withCheckedContinuation { continuation in
            resolver.lookup(name, type) { continuation.resume(returning: $0) }
        }
    }

    private func apply(_ list: [DynamicBackendAddress], _ matrix: Matrix) {
        let change: BackendSetChange
        do {
            change = try matrix.service.replaceGenerated(of: matrix.backend, with: list) { backend, name in
                GeneratedBackend(backend: backend, name: name, tls: matrix.tls)
            }
        } catch {
            log.log(.error, "\(matrix.backend.displayName): can't balance the new backends: \(error)")
            return
        }
        for b in change.added { log.log(.info, "\(matrix.backend.displayName): added backend \(b.displayName)") }
        for b in change.removed {
            b.retire()
            log.log(.info, "\(matrix.backend.displayName): removed backend \(b.displayName)")
        }
        if !change.added.isEmpty || !change.removed.isEmpty { changed(matrix.service, change) }
    }
}

/// What the engine keeps with a backend DNS generated: where to connect and its log
/// name (a configured backend's are in tables made at start-up).
final class GeneratedBackend: BackendAttachment {
    let target: BackendTarget?
    let logObject: RequestLogObject

    init(backend: Backend, name: String, tls: BackendTLS?) {
        logObject = RequestLogObject(name: name, range: backend.range)
        guard case .regular(let server) = backend.kind, case .inet(let host, let port)? = server.address,
              let address = try? SocketAddress(ipAddress: host, port: port) else {
            target = nil
            return
        }
        target = BackendTarget(address: address, connectTimeout: server.connectTimeout, timeout: server.timeout,
                               webSocketTimeout: server.webSocketTimeout, tls: tls)
    }
}
