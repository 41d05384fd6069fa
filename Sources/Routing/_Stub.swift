import HTTPWire
import PoundConfig
public struct ClientAddress: Sendable { public var text: String; public var bytes: [UInt8]; public var port: Int
  public init(text: String, bytes: [UInt8], port: Int) { self.text = text; self.bytes = bytes; self.port = port } }
public struct ListenerInfo: Sendable { public var index: Int; public var name: String?; public var port: Int; public var isHTTPS: Bool
  public init(index: Int, name: String?, port: Int, isHTTPS: Bool) { self.index = index; self.name = name; self.port = port; self.isHTTPS = isHTTPS } }
public struct RoutingRequest { public var head: HTTPRequestHead; public var client: ClientAddress; public var listener: ListenerInfo
  public init(head: HTTPRequestHead, client: ClientAddress, listener: ListenerInfo) { self.head = head; self.client = client; self.listener = listener }
  public var user: String? { nil } }
public final class BackendState: Sendable { public let backend: Backend; public let index: Int; public let isEmergency: Bool
  init(backend: Backend) { self.backend = backend; index = 0; isEmergency = false }
  public var address: BackendAddress? { nil }; public var displayName: String { "" }; public var isAlive: Bool { true }; public var isDisabled: Bool { false }
  @discardableResult public func markDead() -> Bool { true }
  @discardableResult public func markAlive() -> Bool { true } }
public final class RuntimeService: Sendable { public let service: Service; public let index: Int; public var name: String { "" }; public let backends: [BackendState]
  init() { service = Service(); index = 0; backends = [] }
  public func chooseBackend(for request: RoutingRequest) -> BackendState? { nil }
  public func learnSession(request: RoutingRequest, response: HTTPResponseHead, backend: BackendState) {}
  public func backendFailed(_ b: BackendState) -> Bool { true } }
public struct RoutingTable: Sendable { public static func build(_ config: PoundConfiguration) throws -> RoutingTable { RoutingTable() }
  public var listeners: [ListenerRouting] = []; public var allBackends: [BackendState] { [] } }
public struct ListenerRouting: Sendable { public func selectService(_ request: inout RoutingRequest) -> RuntimeService? { nil }
  public var tunnelBackend: BackendState? { nil } }
