import CCrypt
#if canImport(Glibc)
import Glibc
#endif

/// crypt(3) through libxcrypt's reentrant `crypt_r` (Pound serialises plain
/// `crypt` behind a mutex; crypt_r needs no lock). Handles whatever the system
/// library supports: DES, `$1$`, `$5$`, `$6$`, bcrypt `$2b$`/`$2y$`, yescrypt...
enum CryptHash {
    /// Whether `crypt(password, setting)` reproduces `setting` exactly.
    static func matches(password: [UInt8], hash: [UInt8]) -> Bool {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            memset(data, 0, MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        let phrase = password.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        let setting = hash.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        guard let result = crypt_r(phrase, setting, data) else { return false }
        return strcmp(result, setting) == 0
    }
}
