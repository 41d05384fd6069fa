import HTTPWire
import NIOCore
import NIOHPACK

/// HTTP/1.1 responses as HTTP/2 header blocks (RFC 9113 §8.3.2): the status as
/// `:status`, names in lower case, the connection-specific fields dropped.
enum HTTP2Response {
    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2), by lower-case name. A switch over
    /// these short strings costs a fraction of hashing the name for a Set.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name {
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": true
        default: false
        }
    }

    static func fields(_ head: HTTPResponseHead) -> HPACKHeaders {
        var fields = HPACKHeaders()
        fields.reserveCapacity(head.headers.fields.count + 1)
        fields.add(name: ":status", value: String(head.status))
        add(head.headers, to: &fields) { !isConnectionSpecific($0) }
        return fields
    }

    /// A chunked response's trailer fields, without those a trailer must not carry.
    static func trailers(_ headers: HTTPHeaders) -> HPACKHeaders {
        var fields = HPACKHeaders()
        add(headers, to: &fields) { !TrailerFields.isForbidden($0) }
        return fields
    }

    /// `headers` with lower-case names (HTTP/2 has no others), those `keeps` allows.
    private static func add(_ headers: HTTPHeaders, to fields: inout HPACKHeaders, keeps: (String) -> Bool) {
        for field in headers.fields {
            let name = field.lowercasedName
            if keeps(name) { fields.add(name: name, value: field.value) }
        }
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
