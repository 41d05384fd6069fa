/// A seedless 64-bit hash: the same bytes give the same value in every process, on
/// every run (Swift's `Hasher` is seeded per process, so two Pounce nodes would
/// disagree). FNV-1a 64 spreads the bytes into a word; MurmurHash3's `fmix64`
/// finaliser then gives it full avalanche (FNV alone barely moves the high bits
/// when only the last byte differs, as in `user1`/`user2`).
enum StableHash {
    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func fnv1a64(_ bytes: String.UTF8View) -> UInt64 {
        var h = fnvOffsetBasis
        for c in bytes {
            h ^= UInt64(c)
            h = h &* fnvPrime
        }
        return h
    }

    /// MurmurHash3's 64-bit finaliser: a bijection, so distinct inputs stay distinct.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z ^= z >> 33
        z = z &* 0xFF51_AFD7_ED55_8CCD
        z ^= z >> 33
        z = z &* 0xC4CE_B9FE_1A85_EC53
        z ^= z >> 33
        return z
    }

    /// The hash of a text's UTF-8 bytes.
    @inline(__always)
    static func of(_ text: String) -> UInt64 {
        mix(fnv1a64(text.utf8))
    }

    /// The hash of the pair (key, backend) for rendezvous hashing, from the key's
    /// hash and the backend's `seed` (see `seed(of:)`, computed once): one mixing
    /// round per backend, so a choice costs one pass over the key plus O(backends).
    @inline(__always)
    static func pair(key: UInt64, seed: UInt64) -> UInt64 {
        mix(key ^ seed)
    }

    /// A backend's seed for `pair`: its address hashed and mixed once more, so that
    /// `key ^ seed` never cancels for a key and an address of the same text.
    static func seed(of address: String) -> UInt64 {
        mix(of(address) &+ 0x9E37_79B9_7F4A_7C15)
    }
}
