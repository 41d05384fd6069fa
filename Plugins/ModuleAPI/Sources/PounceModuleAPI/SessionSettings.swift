/// A `Session` block as the module sees it.
public struct SessionSettings: Sendable {
    /// The `Type` name that selected the module, as written.
    public let type: String
    /// `ID "name"`: the cookie, header or parameter name, nil if not given.
    public let id: String?
    /// `TTL` in seconds (Pounce applies it; informational here).
    public let ttl: Int

    public init(type: String, id: String?, ttl: Int) {
        self.type = type
        self.id = id
        self.ttl = ttl
    }
}
