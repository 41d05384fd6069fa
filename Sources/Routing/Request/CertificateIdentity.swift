/// A certificate reduced to what tells two apart: the base64 text of its first PEM
/// block with line breaks and blanks removed. Equal identities mean equal DER bytes,
/// which is how Pound's `ClientCert "file"` condition compares (`X509_cmp`), without
/// decoding X.509 on the request path.
public struct CertificateIdentity: Sendable, Equatable {
    public let base64: [UInt8]

    /// The first certificate in PEM text; nil if there is none.
    public init?<C: Collection<UInt8>>(pem: C) {
        let text = Array(pem)
        guard let begin = Self.find(Array("-----BEGIN ".utf8), in: text, from: 0),
              let headerEnd = Self.find(Array("-----".utf8), in: text, from: begin + 11),
              let end = Self.find(Array("-----END ".utf8), in: text, from: headerEnd + 5) else { return nil }
        let body = text[(headerEnd + 5)..<end].filter { $0 > 0x20 }
        guard !body.isEmpty else { return nil }
        base64 = Array(body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
