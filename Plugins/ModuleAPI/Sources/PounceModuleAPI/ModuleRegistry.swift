import Synchronization

/// The session types and balancers a Pounce process knows, by name (case-insensitive,
/// as Pound's keywords). Built-in modules and loaded libraries register here at
/// start-up; routing looks names up while it builds its tables.
///
/// A Swift module library exports its registration function:
///
///     @_cdecl("pounce_module_register")
///     public func pounceModuleRegister(_ registry: UnsafeMutableRawPointer) {
///         ModuleRegistry.fromEntryArgument(registry).registerSession("tenant") { TenantSession($0) }
///     }
public final class ModuleRegistry: Sendable {
    public typealias SessionMaker = @Sendable (SessionSettings) throws -> any SessionModule
    public typealias BalancerMaker = @Sendable (BalancerSetup) throws -> any BalancerModule

    private struct Tables {
        var sessions: [String: SessionMaker] = [:]
        var balancers: [String: BalancerMaker] = [:]
    }

    // Used at start-up only; the lock keeps registration safe from any thread.
    private let tables = Mutex(Tables())

    public init() {}

    /// Registers a session type; a later registration of the same name replaces it.
    public func registerSession(_ name: String, _ make: @escaping SessionMaker) {
        tables.withLock { $0.sessions[name.lowercased()] = make }
    }

    /// Registers a balancer; a later registration of the same name replaces it.
    public func registerBalancer(_ name: String, _ make: @escaping BalancerMaker) {
        tables.withLock { $0.balancers[name.lowercased()] = make }
    }

    public func sessionMaker(_ name: String) -> SessionMaker? {
        tables.withLock { $0.sessions[name.lowercased()] }
    }

    public func balancerMaker(_ name: String) -> BalancerMaker? {
        tables.withLock { $0.balancers[name.lowercased()] }
    }

    public var sessionTypeNames: [String] { tables.withLock { $0.sessions.keys.sorted() } }
    public var balancerNames: [String] { tables.withLock { $0.balancers.keys.sorted() } }

    /// The registry behind the pointer Pounce passes to `pounce_module_register`.
    public static func fromEntryArgument(_ pointer: UnsafeMutableRawPointer) -> ModuleRegistry {
        Unmanaged<ModuleRegistry>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// The pointer to pass to a module's `pounce_module_register` (valid while `self` lives).
    public var entryArgument: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }
}
