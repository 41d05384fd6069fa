#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SNI: which certificate answers which server name.
///
/// Pound's rule: certificates are tried in configuration order; for each, the client's
/// name is `fnmatch()`ed (flags 0, so `*` also spans dots) against the subject's CNs
/// and then the DNS subjectAltNames; the first match wins and no match keeps the
/// default (first) certificate. Pound compares case-sensitively; host names are
/// case-insensitive and clients may send capitals, so both sides are lower-cased here.
struct ServerNameTable: Sendable {
    /// Per certificate, its name patterns in Pound's order, NUL-terminated and
    /// lower-cased.
    private let patterns: [[[CChar]]]

    /// The patterns as given (for diagnostics), per certificate.
    let names: [[String]]

    init(names: [[String]]) {
        self.names = names
        self.patterns = names.map { $0.map { Self.lowercasedCString($0) } }
    }

    /// The index of the certificate for `serverName`, or nil to keep the default.
    func index(for serverName: UnsafePointer<CChar>) -> Int? {
        let name = Self.lowercasedCString(serverName)
        return name.withUnsafeBufferPointer { nameBuf -> Int? in
            guard let namePtr = nameBuf.baseAddress else { return nil }
            for (index, certificatePatterns) in patterns.enumerated() {
                for pattern in certificatePatterns where pattern.withUnsafeBufferPointer({
                    fnmatch($0.baseAddress, namePtr, 0) == 0
                }) {
                    return index
                }
            }
            return nil
        }
    }

    func index(for serverName: String) -> Int? {
        serverName.withCString { index(for: $0) }
    }

    private static func lowercasedCString(_ s: String) -> [CChar] {
        var out = s.utf8.map { CChar(bitPattern: asciiLower($0)) }
        out.append(0)
        return out
    }

    private static func lowercasedCString(_ p: UnsafePointer<CChar>) -> [CChar] {
        var out: [CChar] = []
        var q = p
        while q.pointee != 0 {
            out.append(CChar(bitPattern: asciiLower(UInt8(bitPattern: q.pointee))))
            q += 1
        }
        out.append(0)
        return out
    }

    private static func asciiLower(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }
}
