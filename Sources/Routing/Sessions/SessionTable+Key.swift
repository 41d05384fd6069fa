#if canImport(Glibc)
import Glibc
#endif

extension SessionTable {
    /// A session key with its hash computed once: the hash picks the shard and then
    /// stands for the key in the shard's dictionary, so the key's bytes are read
    /// once per operation. Keys compare by bytes, as Pound's `strcmp` (String's `==`
    /// would equate canonically equivalent Unicode).
    ///
    /// The hash is Swift's seeded SipHash over the UTF-8 bytes: one pass like FNV-1a
    /// and as cheap for keys this short, but clients cannot forge colliding keys to
    /// degrade a dictionary (keys are client data); shards are process-local, so
    /// the per-process seed does no harm.
    struct Key: Hashable, Sendable {
        let text: String
        let hash: Int

        init(_ text: String) {
            var hasher = Hasher()
            var bytes = text
            bytes.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            self.init(text: text, hash: hasher.finalize())
        }

        private init(text: String, hash: Int) {
            self.text = text
            self.hash = hash
        }

        /// What a free slot holds, so that it keeps no key storage alive.
        static let none = Key(text: "", hash: 0)

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }

        static func == (a: Key, b: Key) -> Bool {
            guard a.hash == b.hash, a.text.utf8.count == b.text.utf8.count else { return false }
            var x = a.text
            var y = b.text
            return x.withUTF8 { xb in
                y.withUTF8 { yb in
                    guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return true }
                    return memcmp(xp, yp, xb.count) == 0
                }
            }
        }
    }
}
