#if canImport(Glibc)
import Glibc
#endif
import PoundConfig
import OpenSSLTLS

/// Certificates made with the `openssl` CLI once per test run, in a temporary
/// directory, plus pound.cfg snippets parsed into `TLSSettings`.
final class TestPKI: Sendable {
    static let shared = TestPKI()

    let directory: String
    /// Whether every certificate was generated.
    let ready: Bool

    /// CN default.test, SANs default.test and alt.default.test.
    var defaultCert: String { directory + "/default.pem" }
    /// CN second.test, SAN *.wild.test.
    var secondCert: String { directory + "/second.pem" }
    /// The CA that signed `clientCert`.
    var caFile: String { directory + "/ca.crt" }
    /// O=Pounce, CN=client, serial 4660, signed by the CA.
    var clientCert: String { directory + "/client.pem" }
    /// Self-signed CN=rogue.
    var rogueCert: String { directory + "/rogue.pem" }
    /// CRLs of the CA: without revocations, and revoking `clientCert`.
    var emptyCRL: String { directory + "/empty.crl" }
    var revokedCRL: String { directory + "/revoked.crl" }
    /// A certificate without its key.
    var keylessCert: String { directory + "/default.crt" }

    private init() {
        var template = Array("/tmp/pounce-tls-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
        }
        directory = made ? String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/tmp"
        let req = "openssl req -x509 -newkey rsa:2048 -nodes -days 2"
        let script = """
            cd '\(directory)' && \
            \(req) -keyout default.key -out default.crt -subj /CN=default.test \
              -addext subjectAltName=DNS:default.test,DNS:alt.default.test && \
            cat default.crt default.key > default.pem && \
            \(req) -keyout second.key -out second.crt -subj /CN=second.test \
              -addext 'subjectAltName=DNS:*.wild.test' && \
            cat second.crt second.key > second.pem && \
            \(req) -keyout ca.key -out ca.crt -subj '/CN=Test CA' && \
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /O=Pounce/CN=client && \
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -set_serial 4660 -days 2 -out client.crt && \
            cat client.crt client.key > client.pem && \
            \(req) -keyout rogue.key -out rogue.crt -subj /CN=rogue && \
            cat rogue.crt rogue.key > rogue.pem && \
            printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\ncrlnumber=crlnumber\\ndefault_md=sha256\\ndefault_crl_days=2\\n' > ca.cnf && \
            : > index.txt && echo 01 > crlnumber && \
            openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt -out empty.crl && \
            openssl ca -config ca.cnf -revoke client.crt -keyfile ca.key -cert ca.crt && \
            openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt -out revoked.crl
            """
        ready = made && system("(\(script)) >/dev/null 2>&1") == 0
    }

    /// Parses `ListenHTTPS` with `statements` (one per line, `Cert` included) and
    /// returns its TLS settings.
    func settings(_ statements: [String]) throws -> TLSSettings {
        let path = directory + "/pound-\(UInt64.random(in: 0...UInt64.max)).cfg"
        var text = "ListenHTTPS\n\tAddress 127.0.0.1\n\tPort 8443\n"
        for s in statements { text += "\t" + s + "\n" }
        text += "End\n"
        guard let file = fopen(path, "w") else { throw SetupError(message: "cannot write \(path)") }
        fputs(text, file)
        fclose(file)
        let diagnostics = Diagnostics()
        let config: PoundConfiguration
        do {
            config = try ConfigLoader.load(file: path, diagnostics: diagnostics)
        } catch {
            throw SetupError(message: diagnostics.all.map { $0.message }.joined(separator: "; "))
        }
        guard let tls = config.listeners.first?.tls else { throw SetupError(message: "no HTTPS listener") }
        return tls
    }

    /// Copies `source` to `name` in the directory (replacing it); returns the new path.
    func copy(_ source: String, to name: String) throws -> String {
        let target = directory + "/" + name
        guard system("cp '\(source)' '\(target)'") == 0 else { throw SetupError(message: "cannot copy \(source)") }
        return target
    }

    /// A context for `statements`, the default certificate first unless given.
    func context(_ statements: [String] = []) throws -> TLSServerContext {
        let all = statements.contains { $0.hasPrefix("Cert ") } ? statements : ["Cert \"\(defaultCert)\""] + statements
        return try TLSServerContext(settings: settings(all))
    }
}

struct SetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
