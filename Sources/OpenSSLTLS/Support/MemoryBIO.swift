import COpenSSL

/// Memory BIOs: text for OpenSSL's PEM readers, and what OpenSSL wrote as text
/// (certificate printing goes through them).
public enum MemoryBIO {
    /// A memory BIO holding its own copy of `text`; the caller frees it (`BIO_free`). Not
    /// `BIO_new_mem_buf`, which only borrows the bytes: a pointer out of `withUnsafeBytes`
    /// is dead once the closure returns, and an optimized build does reuse the memory (a
    /// certificate chain then lost its intermediate now and then).
    public static func copying(_ text: String) -> OpaquePointer? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        var text = text
        let count = text.utf8.count
        let written = text.withUTF8 { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        guard count == 0 || Int(written) == count else {
            BIO_free(bio)
            return nil
        }
        return bio
    }

    /// Runs `body` with a fresh memory BIO and returns what it wrote, or nil when
    /// `body` fails or the BIO cannot be created.
    static func text(_ body: (OpaquePointer) -> Bool) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = pounce_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
        return String(decoding: bytes, as: UTF8.self)
    }
}
