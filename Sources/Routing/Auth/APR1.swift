import Digests

/// Apache's MD5-based `$apr1$` password hash (the md5crypt algorithm with the
/// "$apr1$" magic), as Pound computes it in `apr_md5_encode`.
enum APR1 {
    static let magic = Array("$apr1$".utf8)

    /// The full hash string `$apr1$SALT$HASH` for `password`, with the salt taken
    /// from `setting` (an optional "$apr1$", then up to 8 characters before a `$`).
    static func hash(password: [UInt8], setting: [UInt8]) -> [UInt8] {
        var salt = setting[...]
        if salt.starts(with: magic) { salt = salt.dropFirst(magic.count) }
        salt = salt.prefix(8)
        if let dollar = salt.firstIndex(of: UInt8(ascii: "$")) { salt = salt[..<dollar] }

        var ctx = MD5()
        ctx.update(password)
        ctx.update(magic)
        ctx.update(salt)

        var alt = MD5()
        alt.update(password)
        alt.update(salt)
        alt.update(password)
        var final = alt.finalize()

        var i = password.count
        while i > 0 {
            ctx.update(final.prefix(min(i, 16)))
            i -= 16
        }
        let zero: [UInt8] = [0]
        i = password.count
        while i != 0 {
            ctx.update(i & 1 != 0 ? zero[...] : password.prefix(1))
            i >>= 1
        }
        final = ctx.finalize()

        for round in 0..<1000 {
            var r = MD5()
            if round & 1 != 0 { r.update(password) } else { r.update(final) }
            if round % 3 != 0 { r.update(salt) }
            if round % 7 != 0 { r.update(password) }
            if round & 1 != 0 { r.update(final) } else { r.update(password) }
            final = r.finalize()
        }

        var out = magic + Array(salt) + [UInt8(ascii: "$")]
        func to64(_ v: UInt32, _ n: Int) {
            let itoa64 = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
            var v = v
            for _ in 0..<n {
                out.append(itoa64[Int(v & 0x3F)])
                v >>= 6
            }
        }
        func w(_ a: Int, _ b: Int, _ c: Int) -> UInt32 {
            UInt32(final[a]) << 16 | UInt32(final[b]) << 8 | UInt32(final[c])
        }
        to64(w(0, 6, 12), 4)
        to64(w(1, 7, 13), 4)
        to64(w(2, 8, 14), 4)
        to64(w(3, 9, 15), 4)
        to64(w(4, 10, 5), 4)
        to64(UInt32(final[11]), 2)
        return out
    }
}
