/// The peer of a client connection.
public struct ClientAddress: Sendable, Hashable {
    /// Numeric address text, e.g. "127.0.0.1" or "::1" (no brackets, no port).
    public var text: String
    /// The address in network byte order: 4 bytes (IPv4) or 16 (IPv6); empty for a
    /// UNIX-domain peer.
    public var bytes: [UInt8]
    public var port: Int

    public init(text: String, bytes: [UInt8], port: Int) {
        self.text = text
        self.bytes = bytes
        self.port = port
    }

    /// Builds the address from its numeric text (IPv4 or IPv6); nil if it is neither.
    public init?(numeric text: String, port: Int = 0) {
        guard let bytes = NumericIP.parse(text) else { return nil }
        self.init(text: NumericIP.format(bytes), bytes: bytes, port: port)
    }

    /// Pound's `addr2str(..., no_port)`: an IPv4-mapped IPv6 address is shown as plain
    /// IPv4; otherwise the numeric text. Session type IP uses this as its key.
    public var normalizedText: String {
        if NumericIP.isV4Mapped(bytes) { return NumericIP.format(Array(bytes[12...])) }
        return text
    }

    /// The bytes ACLs compare against (`sockaddr_bytes`: IPv4-mapped becomes IPv4), or
    /// nil when the peer has no IP address (a UNIX socket), which Pound's ACL check
    /// treats as an error.
    var aclBytes: ArraySlice<UInt8>? { NumericIP.aclBytes(bytes) }
}
