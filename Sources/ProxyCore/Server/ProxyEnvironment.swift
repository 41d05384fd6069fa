import NIOCore
import RequestLog
import Routing
import Synchronization

/// Everything the engine shares between event loops. Immutable after start-up,
/// except for atomics, so reading it needs no lock.
final class ProxyEnvironment: Sendable {
    let log: LogSink
    let loops: LoopContexts
    private let targets: [ObjectIdentifier: BackendTarget]
    /// Client connections open right now (graceful shutdown waits for zero).
    let openConnections = Atomic<Int>(0)

    /// `%{service}N`/`%{backend}N` names and locations, made once per object.
    private let logObjects: [ObjectIdentifier: RequestLogObject]
    /// `Redirect` URLs with `$N`/`%[...]`, compiled once.
    private let redirectTemplates: [ObjectIdentifier: Template]
    /// The control interface, for the `Control` socket and `Control` backends.
    let control: ControlRouter?

    init(log: LogSink, loops: LoopContexts, targets: [ObjectIdentifier: BackendTarget],
         logObjects: [ObjectIdentifier: RequestLogObject], redirectTemplates: [ObjectIdentifier: Template] = [:],
         control: ControlRouter? = nil) {
        self.control = control
        self.redirectTemplates = redirectTemplates
        self.log = log
        self.logObjects = logObjects
        self.loops = loops
        self.targets = targets
    }

    func logObject(_ service: RuntimeService?) -> RequestLogObject? {
        service.flatMap { logObjects[ObjectIdentifier($0)] }
    }

    /// A generated backend carries its own; configured ones are in the table.
    func logObject(_ backend: BackendState?) -> RequestLogObject? {
        guard let backend else { return nil }
        if let generated = backend.attachment as? GeneratedBackend { return generated.logObject }
        return logObjects[ObjectIdentifier(backend)]
    }

    func redirectTemplate(for backend: BackendState) -> Template? {
        redirectTemplates[ObjectIdentifier(backend)]
    }

    func target(for backend: BackendState) -> BackendTarget? {
        if let generated = backend.attachment as? GeneratedBackend { return generated.target }
        return targets[ObjectIdentifier(backend)]
    }
}
