import Digests
import PoundConfig

/// The users of a `BasicAuth` password file and Pound's rules for checking them.
struct PasswordFile: Sendable {
    private let entries: [(user: [UInt8], hash: [UInt8])]

    init(_ file: BasicAuthFile) {
        self.init(users: file.users)
    }

    init(users: [(user: String, password: String)]) {
        entries = users.map { (Array($0.user.utf8), Array($0.password.utf8)) }
    }

    /// `basic_auth_internal`: the first line for the user decides.
    func verify(user: [UInt8], password: [UInt8]) -> Bool {
        guard let entry = entries.first(where: { $0.user == user }) else { return false }
        return Self.matches(password: password, hash: entry.hash)
    }

    /// Pound's `auth_match`: a hash starting with `$apr1$` or `{SHA}` (and longer than
    /// that prefix) is checked only that way; anything else non-empty is tried with
    /// crypt(3) and then compared as plain text.
    static func matches(password: [UInt8], hash: [UInt8]) -> Bool {
        if hash.count > 6, hash.starts(with: APR1.magic) {
            return APR1.hash(password: password, setting: hash) == hash
        }
        let sha = Array("{SHA}".utf8)
        if hash.count > 5, hash.starts(with: sha) {
            // The base64 must decode to exactly one SHA-1 digest.
            guard let digest = Base64.decode(hash.dropFirst(5)), digest.count == 20 else { return false }
            return SHA1.hash(password) == digest
        }
        guard !hash.isEmpty else { return false }
        if CryptHash.matches(password: password, hash: hash) { return true }
        return password == hash.prefix { $0 != 0 }
    }
}
