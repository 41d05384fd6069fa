import HTTPWire
import NIOCore
import NIOHPACK

/// HTTP/1.1 responses as HTTP/2 header blocks (RFC 9113 §8.3.2): the status as
/// `:status`, names in lower case, the connection-specific fields dropped.
enum HTTP2Response {
    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2).
    static let connectionSpecific: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    ]

    static func fields(_ head: HTTPResponseHead) -> HPACKHeaders {
        var fields = HPACKHeaders()
        fields.reserveCapacity(head.headers.fields.count + 1)
        fields.add(name: ":status", value: String(head.status))
        for field in head.headers.fields {
            let name = field.name.lowercased()
            if connectionSpecific.contains(name) { continue }
            fields.add(name: name, value: field.value)
        }
        return fields
    }

    /// A response Pounce made as HTTP/1.x bytes (error pages, special backends):
    /// its head and body.
    static func parseLocal(_ bytes: ByteBuffer) -> (HTTPResponseHead, ByteBuffer)? {
        var bytes = bytes
        let result = bytes.withUnsafeReadableBytes { HTTPHeadParser.parseResponse($0, maxLineLength: 1 << 16) }
        guard case .complete(let head, let length) = consume result else { return nil }
        bytes.moveReaderIndex(forwardBy: length)
        return (head, bytes)
    }
}
