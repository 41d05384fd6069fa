import COpenSSL
import PoundConfig

/// The tags a client-affinity session type names backends by: a backend's `CookieValue`,
/// else the first 8 bytes of HMAC-SHA256 over its address text (`ADDRESS:PORT`, the same
/// on every node with the same configuration), in hex. Stable across nodes, reloads and
/// restarts; the address is not in it, and with a `Secret` it cannot be found by trying
/// addresses either.
struct AffinityTagger: Sendable {
    /// Without `Secret`: a fixed key, documented as such.
    static let defaultKey = Array("pounce-cookie-affinity".utf8)

    let key: [UInt8]

    init(secret: String?) {
        key = secret.map { Array($0.utf8) } ?? Self.defaultKey
    }

    func tag(for backend: BackendState) -> String? {
        guard !backend.isMatrix, case .regular(let server) = backend.backend.kind else { return nil }
        // A generated backend inherits its matrix's CookieValue, which its siblings share.
        if backend.parent == nil, let value = server.cookieValue { return value }
        return hash(backend.displayName)
    }

    func hash(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let data = Array(text.utf8)
        let made = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     d.count, &digest, &length)
            }
        }
        guard made != nil, length >= 8 else { return "" }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest.prefix(8) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
