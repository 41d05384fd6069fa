import PoundConfig
#if canImport(Glibc)
import Glibc
#endif

/// The ACME state on disk (`StateDirectory`): the account key and, per certificate, its
/// chain and private key, so a restart serves what it has without asking the CA.
///
///     DIR/account.key                       (0600)
///     DIR/certificates/NAME/fullchain.pem   (0644)
///     DIR/certificates/NAME/privkey.pem     (0600)
///
/// NAME is the certificate's first name. Every file is written whole under a temporary name
/// and renamed into place, so a crash leaves the old file or the new one, never half of one.
public struct StateDirectory: Sendable {
    public let path: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws(Failure) {
        self.path = path
        try Self.makeParents(of: path)
        try Self.makeDirectory(path)
        try Self.makeDirectory(path + "/certificates")
    }

    public var accountKeyPath: String { path + "/account.key" }

    public func certificateFolder(for name: String) throws(Failure) -> String {
        guard AutoCertificate.isPlainName(name) else { throw Failure(description: "\(name): not a DNS name") }
        return path + "/certificates/" + name.replacingOccurrences(of: "*", with: "_")
    }

    /// The account key, made and stored on first use.
    public func accountKey() throws(Failure) -> ECKey {
        if let text = Self.read(accountKeyPath) {
            do { return try ECKey(pem: text) } catch { throw Failure(description: "\(accountKeyPath): \(error)") }
        }
        let key: ECKey
        do { key = try ECKey.generate() } catch { throw Failure(description: "\(error)") }
        try Self.write(key.pem, to: accountKeyPath, mode: 0o600)
        return key
    }

    /// The stored chain and key for `name`, if both are there and belong together.
    public func certificate(for name: String) throws(Failure) -> (chain: String, key: ECKey, info: CertificateInfo)? {
        let folder = try certificateFolder(for: name)
        guard let chain = Self.read(folder + "/fullchain.pem"), let keyText = Self.read(folder + "/privkey.pem"),
              let info = CertificateInfo(pem: chain), let key = try? ECKey(pem: keyText) else { return nil }
        return (chain, key, info)
    }

    public func store(chain: String, key: ECKey, for name: String) throws(Failure) {
        let folder = try certificateFolder(for: name)
        try Self.makeDirectory(folder)
        // The key first: a chain is never on disk without the key it was issued for.
        try Self.write(key.pem, to: folder + "/privkey.pem", mode: 0o600)
        try Self.write(chain, to: folder + "/fullchain.pem", mode: 0o644)
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[..<n]
            if bytes.count > 1 << 20 { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ text: String, to path: String, mode: mode_t) throws(Failure) {
        let temporary = path + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                unlink(temporary)
                throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        // The mode the umask may have narrowed, exactly; then on disk before the rename.
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): \(String(cString: strerror(errno)))")
        }
    }

    /// http-01 tokens, served by every ListenHTTP (`ACMESettings.challengeDirectory`):
    /// world-readable, as what they hold is published anyway.
    public var challengeFolder: String { path + "/challenges" }

    /// Publishes an http-01 answer; the token comes from the CA, so it is checked to be
    /// base64url (RFC 8555 §8.3) before it names a file.
    public func writeChallenge(token: String, keyAuthorization: String) throws(Failure) {
        guard !token.isEmpty, token.utf8.allSatisfy({ Base64URL.alphabet.contains($0) }) else {
            throw Failure(description: "the CA sent an invalid token")
        }
        if mkdir(challengeFolder, 0o755) != 0 && errno != EEXIST {
            throw Failure(description: "\(challengeFolder): \(String(cString: strerror(errno)))")
        }
        try Self.write(keyAuthorization, to: challengeFolder + "/" + token, mode: 0o644)
    }

    public func removeChallenge(token: String) {
        guard !token.isEmpty, token.utf8.allSatisfy({ Base64URL.alphabet.contains($0) }) else { return }
        unlink(challengeFolder + "/" + token)
    }

    /// The ancestors of a `StateDirectory` that do not exist yet (`/var/lib/pounce`).
    private static func makeParents(of path: String) throws(Failure) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw Failure(description: "\(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func makeDirectory(_ path: String) throws(Failure) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "\(path): \(String(cString: strerror(errno)))")
        }
    }
}
