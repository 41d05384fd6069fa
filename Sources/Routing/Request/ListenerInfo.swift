/// The listener a request arrived on, as far as routing and logging need it.
public struct ListenerInfo: Sendable, Hashable {
    /// Position in `PoundConfiguration.listeners`.
    public var index: Int
    public var name: String?
    public var port: Int
    public var isHTTPS: Bool

    public init(index: Int, name: String? = nil, port: Int, isHTTPS: Bool = false) {
        self.index = index
        self.name = name
        self.port = port
        self.isHTTPS = isHTTPS
    }
}
