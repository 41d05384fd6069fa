import COpenSSL
import Synchronization

/// tls-alpn-01 (RFC 8737) answered by the HTTPS listener itself: while a name is being
/// validated, a handshake for it that offers only the "acme-tls/1" protocol gets the
/// challenge certificate instead of the listener's. The listener's client-hello callback
/// asks `context(forServerName:)`; with nothing published it returns at once.
public final class ALPNChallenges: @unchecked Sendable {
    public static let protocolName = "acme-tls/1"

    private let table = Mutex<[String: ContextReference]>([:])
    /// Lets handshakes skip the ClientHello parsing when no challenge is out.
    private let published = Atomic<Int>(0)

    public init() {}

    deinit {
        table.withLock { contexts in
            for reference in contexts.values { SSL_CTX_free(reference.ctx) }
        }
    }

    /// Answers `name`'s validation with `certificate` until `withdraw`.
    public func publish(name: String, certificate: CertificatePEM) throws(TLSContextError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .openSSL("SSL_CTX_new") }
        do throws(TLSContextError) {
            try ContextSetup.setProtocolFloor(TLS1_2_VERSION, on: ctx)
            try ContextSetup.loadCertificate(certificate, into: ctx)
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        ContextSetup.setHandlerModes(on: ctx)
        SSL_CTX_set_alpn_select_cb(ctx, { _, out, outLength, offered, offeredLength, _ in
            guard let out, let outLength, let offered,
                  let range = ALPNChallenges.acmeProtocol(in: UnsafeBufferPointer(start: offered, count: Int(offeredLength)))
            else { return SSL_TLSEXT_ERR_ALERT_FATAL }
            out.pointee = UnsafePointer(offered + range.lowerBound)
            outLength.pointee = UInt8(range.count)
            return SSL_TLSEXT_ERR_OK
        }, nil)
        // OpenSSL falls back to the listener's own SNI callback when this context has none,
        // which would switch the connection to a listener certificate again.
        pounce_SSL_CTX_set_tlsext_servername_callback(ctx) { _, _, _ in SSL_TLSEXT_ERR_OK }
        let key = name.lowercased()
        let replaced = table.withLock { contexts in
            let old = contexts[key]
            contexts[key] = ContextReference(ctx: ctx)
            return old
        }
        if let replaced { SSL_CTX_free(replaced.ctx) } else { published.add(1, ordering: .releasing) }
    }

    public func withdraw(name: String) {
        let removed = table.withLock { $0.removeValue(forKey: name.lowercased()) }
        if let removed {
            SSL_CTX_free(removed.ctx)
            published.subtract(1, ordering: .releasing)
        }
    }

    public var isEmpty: Bool { published.load(ordering: .acquiring) == 0 }

    /// Switches `ssl` to the challenge context for `name`, if one is published.
    func switchContext(of ssl: OpaquePointer, serverName name: String) -> Bool {
        table.withLock { contexts in
            guard let reference = contexts[name.lowercased()] else { return false }
            return SSL_set_SSL_CTX(ssl, reference.ctx) != nil
        }
    }

    /// Installs the ClientHello callback on a listener context: a handshake offering
    /// "acme-tls/1" for a name with a published challenge moves to that challenge's context.
    /// `self` must outlive `ctx`'s handshakes (the listener's context holds it).
    func watch(_ ctx: OpaquePointer) {
        SSL_CTX_set_client_hello_cb(ctx, { ssl, _, arg in
            guard let ssl, let arg else { return SSL_CLIENT_HELLO_SUCCESS }
            let challenges = Unmanaged<ALPNChallenges>.fromOpaque(arg).takeUnretainedValue()
            if challenges.isEmpty { return SSL_CLIENT_HELLO_SUCCESS }
            var alpn: UnsafePointer<UInt8>?
            var alpnLength = 0
            var sni: UnsafePointer<UInt8>?
            var sniLength = 0
            guard SSL_client_hello_get0_ext(ssl, UInt32(TLSEXT_TYPE_application_layer_protocol_negotiation),
                                            &alpn, &alpnLength) == 1, let alpn,
                  SSL_client_hello_get0_ext(ssl, UInt32(TLSEXT_TYPE_server_name), &sni, &sniLength) == 1, let sni
            else { return SSL_CLIENT_HELLO_SUCCESS }
            // The extension bodies: a 2-byte length, then the list.
            let alpnList = UnsafeBufferPointer(start: alpn, count: alpnLength)
            guard alpnList.count >= 2, ALPNChallenges.acmeProtocol(in: UnsafeBufferPointer(rebasing: alpnList[2...])) != nil,
                  let name = ALPNChallenges.hostName(inServerNameExtension: UnsafeBufferPointer(start: sni, count: sniLength))
            else { return SSL_CLIENT_HELLO_SUCCESS }
            _ = challenges.switchContext(of: ssl, serverName: name)
            return SSL_CLIENT_HELLO_SUCCESS
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Where "acme-tls/1" is in an ALPN protocol list (RFC 7301: length-prefixed names).
    static func acmeProtocol(in offered: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var i = 0
        while i < offered.count {
            let start = i + 1
            let end = start + Int(offered[i])
            guard end <= offered.count else { return nil }
            if UnsafeBufferPointer(rebasing: offered[start..<end]).elementsEqual(acmeBytes) { return start..<end }
            i = end
        }
        return nil
    }

    /// The host_name of a server_name extension body (RFC 6066 §3), bounds-checked.
    static func hostName(inServerNameExtension body: UnsafeBufferPointer<UInt8>) -> String? {
        guard body.count >= 2 else { return nil }
        let listEnd = min(body.count, 2 + (Int(body[0]) << 8 | Int(body[1])))
        var i = 2
        while i + 3 <= listEnd {
            let type = body[i]
            let length = Int(body[i + 1]) << 8 | Int(body[i + 2])
            let start = i + 3
            guard start + length <= listEnd else { return nil }
            if type == 0 { return String(decoding: UnsafeBufferPointer(rebasing: body[start..<start + length]), as: UTF8.self) }
            i = start + length
        }
        return nil
    }

    private static let acmeBytes = Array(protocolName.utf8)
}
